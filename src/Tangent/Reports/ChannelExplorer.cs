using System.Net;
using System.Text;
using System.Text.Json;

namespace Tangent.Reports;

/// <summary>
/// The interactive section of a report: a time slider over the recorded snapshots, a threshold slider that
/// re-partitions the spectrum live (channel = {i : λ_i ≥ τ·λ_max}), the channel dimension and the shares of the
/// residual and the label noise at that τ, and plotly.js charts of the spectrum, the projections, the transfer
/// spectrum ‖K_QS v_i‖ and the shares over time, with hover read-outs and linked zoom. Self-contained: the data,
/// plotly.js (from the Plotly.NET package) and the page script are inlined.
/// </summary>
public static class ChannelExplorer
{
    private const string PlotlyResourceSuffix = ".min.js";
    private const string ScriptResource = "Tangent.Reports.Explorer.channel-explorer.js";

    /// <summary>The section's HTML: controls, chart containers and the data (scripts come with
    /// <see cref="Scripts"/>).</summary>
    public static string Section(IReadOnlyList<ExplorerSeries> series, double threshold, string caption)
    {
        if (series.Count == 0)
            throw new ArgumentException("the explorer needs at least one series", nameof(series));
        foreach (var s in series)
            s.Validate();
        string json = JsonSerializer.Serialize(
            new
            {
                threshold,
                series = series.Select(s => new
                {
                    name = s.Name,
                    @operator = s.Operator,
                    steps = s.Steps,
                    eigenvalues = s.Eigenvalues,
                    residual = s.Residual,
                    noise = s.Noise,
                    transfer = s.Transfer,
                }),
            },
            new JsonSerializerOptions
            {
                NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
            }
        );
        var html = new StringBuilder();
        html.Append("<section class=\"tx-explorer\">\n<p>")
            .Append(WebUtility.HtmlEncode(caption))
            .Append("</p>\n<div class=\"tx-controls\">\n")
            .Append(
                "<div id=\"tx-series-row\"><label for=\"tx-series\">run</label> "
                    + "<select id=\"tx-series\"></select></div>\n"
            )
            .Append(
                "<div><label for=\"tx-time\">snapshot</label> "
                    + "<input type=\"range\" id=\"tx-time\" min=\"0\" step=\"1\"/> "
            )
            .Append("step <output id=\"tx-step\"></output></div>\n")
            .Append("<div><label for=\"tx-tau-slider\">threshold τ (relative to λ_max)</label> ")
            .Append("<input type=\"range\" id=\"tx-tau-slider\" min=\"-8\" max=\"0\" step=\"0.01\"/> ")
            .Append("<input type=\"number\" id=\"tx-tau\" min=\"0\" step=\"any\"/> ")
            .Append("(absolute <output id=\"tx-threshold-abs\"></output>)</div>\n")
            .Append("<div class=\"tx-readouts\">channel dimension <output id=\"tx-dim\"></output> · ")
            .Append("residual in the channel <output id=\"tx-res-share\"></output> · ")
            .Append("label noise in the reservoir <output id=\"tx-noise-share\"></output></div>\n</div>\n")
            .Append("<div id=\"tx-spectrum\" class=\"tx-chart\"></div>\n")
            .Append("<div id=\"tx-projections\" class=\"tx-chart\"></div>\n")
            .Append("<div id=\"tx-transfer\" class=\"tx-chart\"></div>\n")
            .Append("<div id=\"tx-shares\" class=\"tx-chart\"></div>\n")
            .Append("<script type=\"application/json\" id=\"tx-data\">")
            .Append(json)
            .Append("</script>\n</section>\n");
        return html.ToString();
    }

    /// <summary>plotly.js and the explorer's script, as script elements, to put once after the sections.</summary>
    public static string Scripts() =>
        "<script>"
        + ScriptSafe(PlotlyJs.Value)
        + "</script>\n<script>"
        + ScriptSafe(Resource(typeof(ChannelExplorer).Assembly, ScriptResource))
        + "</script>\n";

    /// <summary>The explorer's CSS.</summary>
    public const string Css =
        ".tx-controls{position:sticky;top:0;background:#fff;z-index:5;padding:.4em 0;border-bottom:1px solid #ddd}"
        + ".tx-controls div{margin:.25em 0}.tx-controls input[type=range]{width:22em;vertical-align:middle}"
        + ".tx-controls input[type=number]{width:8em}.tx-readouts output{font-weight:bold}"
        + ".tx-chart{width:100%;height:380px;margin:.6em 0}";

    private static readonly Lazy<string> PlotlyJs = new(() =>
    {
        var assembly = typeof(Plotly.NET.Chart).Assembly;
        string name =
            assembly
                .GetManifestResourceNames()
                .SingleOrDefault(n =>
                    n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal)
                    && n.EndsWith(PlotlyResourceSuffix, StringComparison.Ordinal)
                )
            ?? throw new InvalidOperationException(
                "plotly.js is not embedded in this Plotly.NET; the interactive report needs Plotly.NET 6.0.0"
            );
        return Resource(assembly, name);
    });

    private static string Resource(System.Reflection.Assembly assembly, string name)
    {
        using var stream =
            assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"resource {name} is missing; rebuild Tangent");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    // A script element ends at the first "</script" whatever the JavaScript around it means.
    private static string ScriptSafe(string js) =>
        js.Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
}
