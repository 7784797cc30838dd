using System.Globalization;
using Tangent.Reports;
using Tangent.Store;

namespace Tangent.Studies;

/// <summary>
/// A study's table of results, declared once as columns over typed rows: it writes the .csv, the HTML table and the
/// summary fields, so the three cannot disagree.
/// </summary>
/// <typeparam name="T">The row type.</typeparam>
/// <param name="Columns">The columns, in order.</param>
/// <param name="RowKey">The key a row's summary fields start with (e.g. <c>alpha_10</c>).</param>
public sealed record ResultTable<T>(IReadOnlyList<ResultColumn<T>> Columns, Func<T, string> RowKey)
{
    /// <summary>Writes the rows as <paramref name="fileName"/> in <paramref name="run"/>: every column, by its csv
    /// name.</summary>
    public void WriteCsv(RunDirectory run, string fileName, IEnumerable<T> rows) =>
        run.WriteTable(
            fileName,
            Columns.Select(c => c.Csv).ToList(),
            rows.Select(r => (IReadOnlyList<double?>)Columns.Select(c => (double?)c.Value(r)).ToList())
        );

    /// <summary>Adds the rows to <paramref name="report"/> as a table of the columns that have a header.</summary>
    public HtmlReport Html(HtmlReport report, IEnumerable<T> rows)
    {
        var shown = Columns.Where(c => c.Header is not null).ToList();
        return report.Table(
            shown.Select(c => c.Header!).ToList(),
            rows.Select(r => (IReadOnlyList<string>)shown.Select(c => c.Format(c.Value(r))).ToList())
        );
    }

    /// <summary>The summary fields <c>{prefix}{row key}_{column's summary name}</c> of the columns that have
    /// one.</summary>
    public IEnumerable<KeyValuePair<string, object?>> Summary(IEnumerable<T> rows, string prefix = "") =>
        rows.SelectMany(r =>
            Columns
                .Where(c => c.Summary is not null)
                .Select(c => new KeyValuePair<string, object?>($"{prefix}{RowKey(r)}_{c.Summary}", c.Value(r)))
        );
}
