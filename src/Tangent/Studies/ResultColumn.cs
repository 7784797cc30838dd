using System.Globalization;
using Tangent.Reports;

namespace Tangent.Studies;

/// <summary>A column of a <see cref="ResultTable{T}"/>.</summary>
/// <typeparam name="T">The row type.</typeparam>
/// <param name="Csv">Its name in the .csv.</param>
/// <param name="Value">Its value for a row.</param>
/// <param name="Header">Its header in the HTML table (null: not shown there).</param>
/// <param name="Summary">Its summary-field suffix (null: not in summary.json).</param>
/// <param name="Formatter">How the HTML table prints it (null: <see cref="HtmlReport.Number"/>).</param>
public sealed record ResultColumn<T>(
    string Csv,
    Func<T, double> Value,
    string? Header = null,
    string? Summary = null,
    Func<double, string>? Formatter = null
)
{
    /// <summary>The HTML text of a value.</summary>
    public string Format(double value) => Formatter?.Invoke(value) ?? HtmlReport.Number(value);

    /// <summary>Prints a value as the shortest round-trip number (for parameters such as α).</summary>
    public static string Plain(double value) => value.ToString(CultureInfo.InvariantCulture);
}
