using System.Globalization;
using System.Net;
using System.Text;

namespace Tangent.Reports;

/// <summary>
/// A self-contained HTML report: text, tables, figures (PNG inlined as data URIs) and at most one interactive channel
/// explorer (plotly.js inlined), readable offline with no external
/// file.
/// </summary>
public sealed partial class HtmlReport(string title)
{
    [System.Text.RegularExpressions.GeneratedRegex("`([^`]+)`")]
    private static partial System.Text.RegularExpressions.Regex Backticks();

    private readonly StringBuilder _body = new();
    private bool _interactive;

    /// <summary>Adds a section heading.</summary>
    public HtmlReport Heading(string text)
    {
        _body.Append("<h2>").Append(Encode(text)).Append("</h2>\n");
        return this;
    }

    /// <summary>Adds a paragraph of plain text; `text in backticks` is shown as code.</summary>
    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(Backticks().Replace(Encode(text), "<code>$1</code>")).Append("</p>\n");
        return this;
    }

    /// <summary>Adds a table with a header row.</summary>
    public HtmlReport Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        _body.Append("<table><thead><tr>");
        foreach (var h in header)
            _body.Append("<th>").Append(Encode(h)).Append("</th>");
        _body.Append("</tr></thead><tbody>\n");
        foreach (var row in rows)
        {
            _body.Append("<tr>");
            foreach (var cell in row)
                _body.Append("<td>").Append(Encode(cell)).Append("</td>");
            _body.Append("</tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    /// <summary>
    /// Adds summary.json's fields as one table grouped under headings and labelled in words, each row with its
    /// summary.json key (<see cref="SummaryGroups"/>); fields keep their order within a group.
    /// </summary>
    public HtmlReport Summary(IEnumerable<KeyValuePair<string, object?>> summary)
    {
        var fields = summary.ToList();
        _body.Append("<table class=\"summary\"><thead><tr><th>quantity</th><th>value</th><th>key</th></tr></thead>");
        _body.Append("<tbody>\n");
        foreach (var group in fields.GroupBy(kv => SummaryGroups.GroupOf(kv.Key)).OrderBy(g => Order(g.Key)))
        {
            _body.Append("<tr class=\"group\"><th colspan=\"3\">").Append(Encode(group.Key)).Append("</th></tr>\n");
            foreach (var kv in group)
                _body
                    .Append("<tr><td>")
                    .Append(Encode(SummaryGroups.Label(kv.Key)))
                    .Append("</td><td>")
                    .Append(Encode(SummaryGroups.Format(kv.Value)))
                    .Append("</td><td><code>")
                    .Append(Encode(kv.Key))
                    .Append("</code></td></tr>\n");
        }
        _body.Append("</tbody></table>\n");
        return this;
    }

    private static int Order(string heading)
    {
        for (int i = 0; i < SummaryGroups.Groups.Count; i++)
            if (SummaryGroups.Groups[i].Heading == heading)
                return i;
        return int.MaxValue;
    }

    /// <summary>Adds a figure with its caption, the PNG inlined.</summary>
    public HtmlReport Figure(RenderedFigure figure)
    {
        _body
            .Append("<figure><img alt=\"")
            .Append(Encode(figure.Name))
            .Append("\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(figure.Png))
            .Append("\"/><figcaption>")
            .Append(Encode(figure.Caption))
            .Append("</figcaption></figure>\n");
        return this;
    }

    /// <summary>
    /// Adds the interactive channel explorer (<see cref="ChannelExplorer"/>) over <paramref name="series"/>,
    /// starting at threshold τ = <paramref name="threshold"/>; plotly.js and the page script are inlined once
    /// into the document.
    /// A report holds at most one explorer.
    /// </summary>
    public HtmlReport Explorer(IReadOnlyList<ExplorerSeries> series, double threshold, string caption)
    {
        if (_interactive)
            throw new InvalidOperationException("a report holds at most one channel explorer");
        _body.Append(ChannelExplorer.Section(series, threshold, caption));
        _interactive = true;
        return this;
    }

    /// <summary>Formats a number for a report cell (4 significant digits, invariant culture).</summary>
    /// <remarks>
    /// More digits where four would round a value onto a small whole number (|k| ≤ 10) it is not: 0.999996 is shown
    /// as 0.999996, not as 1, and 2.00004 as 2.00004, so a correlation or a ratio close to but not exactly 1 never
    /// reads as exact.
    /// </remarks>
    public static string Number(double value)
    {
        var c = CultureInfo.InvariantCulture;
        if (!double.IsFinite(value))
            return value.ToString(c);
        for (int digits = 4; digits < 12; digits++)
        {
            string text = value.ToString("G" + digits.ToString(c), c);
            double shown = double.Parse(text, c);
            if (shown == value || shown != Math.Round(shown) || Math.Abs(shown) > 10)
                return text;
        }
        return value.ToString("G12", c);
    }

    /// <summary>Appends every section of <paramref name="other"/> after this report's.</summary>
    public HtmlReport Append(HtmlReport other)
    {
        if (_interactive && other._interactive)
            throw new InvalidOperationException("a report holds at most one channel explorer");
        _interactive |= other._interactive;
        _body.Append(other._body);
        return this;
    }

    /// <summary>The whole document.</summary>
    public string Build() =>
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>"
        + Encode(title)
        + "</title>\n<style>"
        + Css
        + (_interactive ? ChannelExplorer.Css : "")
        + "</style></head>\n<body>\n<h1>"
        + Encode(title)
        + "</h1>\n"
        + _body
        + (_interactive ? ChannelExplorer.Scripts() : "")
        + "</body></html>\n";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private const string Css =
        "body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;max-width:980px;margin:2em auto;padding:0 "
        + "1em;color:#222;line-height:1.45}"
        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em "
        + ".7em;text-align:left}th{background:#f2f2f2}"
        + "tr.group th{background:#e8eef6;text-align:left}"
        + "table.summary td:nth-child(3) code{color:#666;font-size:.85em}"
        + "code{font-family:'DejaVu Sans Mono',monospace;background:#f4f4f4;padding:0 .2em}"
        + "figure{margin:1.5em 0}img{max-width:100%;border:1px solid #eee}figcaption{font-size:.92em;color:#444}";
}
