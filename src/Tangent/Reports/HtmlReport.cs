using System.Globalization;
using System.Net;
using System.Text;

namespace Tangent.Reports;

/// <summary>
/// A self-contained HTML report: text, tables, figures (PNG inlined as data URIs) and at most one interactive channel
/// explorer (plotly.js inlined), readable offline with no external
/// file.
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder _body = new();
    private bool _interactive;

    /// <summary>Adds a section heading.</summary>
    public HtmlReport Heading(string text)
    {
        _body.Append("<h2>").Append(Encode(text)).Append("</h2>\n");
        return this;
    }

    /// <summary>Adds a paragraph of plain text.</summary>
    public HtmlReport Paragraph(string text)
    {
        _body.Append("<p>").Append(Encode(text)).Append("</p>\n");
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
    public static string Number(double value) =>
        double.IsFinite(value)
            ? value.ToString("G4", CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);

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
        + "figure{margin:1.5em 0}img{max-width:100%;border:1px solid #eee}figcaption{font-size:.92em;color:#444}";
}
