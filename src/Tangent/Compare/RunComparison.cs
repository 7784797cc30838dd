using System.Globalization;
using System.Text.Json;
using ScottPlot;
using Tangent.Reports;
using Tangent.Store;

namespace Tangent.Compare;

/// <summary>
/// <c>tangent compare RUN RUN …</c>: what differs between runs and what came of it — the config keys whose values
/// differ (flattened to dotted keys), every summary scalar side by side, the verdicts of study runs side by side,
/// and each metrics.csv column that the runs share as overlaid curves against the step.
/// </summary>
public sealed record RunComparison(
    IReadOnlyList<RunEntry> Runs,
    IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> ConfigDifferences,
    IReadOnlyList<KeyValuePair<string, IReadOnlyList<string>>> Summaries
)
{
    /// <summary>At most this many shared metrics columns get a figure.</summary>
    public const int MaxCurves = 12;

    /// <summary>Reads and compares the runs at <paramref name="paths"/> (at least two).</summary>
    public static RunComparison Of(IReadOnlyList<string> paths)
    {
        ConfigException.Require(paths.Count >= 2, "RUN", $"got {paths.Count} run", "pass two or more run directories");
        var runs = paths
            .Select(p =>
            {
                var entry = RunListing.Read(Path.GetFullPath(p), Path.GetDirectoryName(Path.GetFullPath(p))!);
                ConfigException.Require(
                    entry.Info is not null,
                    "RUN",
                    entry.Problem ?? $"'{p}' is not a run directory",
                    "pass directories written by tangent commands"
                );
                return entry;
            })
            .ToList();
        var configs = runs.Select(r => Flatten(r.Info!.Config)).ToList();
        var keys = configs.SelectMany(c => c.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var differences = keys.Select(k => new KeyValuePair<string, IReadOnlyList<string>>(
                k,
                configs.Select(c => c.TryGetValue(k, out var v) ? v : "—").ToList()
            ))
            .Where(kv => kv.Value.Distinct().Count() > 1)
            .ToList();
        var summaryKeys = runs.SelectMany(r => r.Summary.Select(kv => kv.Key)).Distinct().ToList();
        var summaries = summaryKeys
            .Select(k => new KeyValuePair<string, IReadOnlyList<string>>(
                k,
                runs.Select(r => Show(r.Summary.FirstOrDefault(kv => kv.Key == k))).ToList()
            ))
            .ToList();
        return new RunComparison(runs, differences, summaries);
    }

    /// <summary>Short names of the runs for tables and legends: their directory names, with the parent's added where
    /// two are the same.</summary>
    public IReadOnlyList<string> Labels()
    {
        var names = Runs.Select(r => Path.GetFileName(r.Path)).ToList();
        return names
            .Select(
                (n, i) =>
                    names.Count(m => m == n) > 1 ? $"{Path.GetFileName(Path.GetDirectoryName(Runs[i].Path))}/{n}" : n
            )
            .ToList();
    }

    /// <summary>The report: configs that differ, summaries and verdicts side by side, overlaid metric curves.</summary>
    public HtmlReport Report(out IReadOnlyList<RenderedFigure> figures)
    {
        var labels = Labels();
        var report = new HtmlReport("Tangent: comparison of " + string.Join(", ", labels));
        report
            .Heading("Runs")
            .Table(
                ["run", "command", "status", "started (UTC)", "wall (s)", "config hash"],
                Runs.Select(
                    (r, i) =>
                        (IReadOnlyList<string>)
                            [
                                labels[i],
                                r.Info!.Command,
                                r.Info.Status.ToString().ToLowerInvariant() + (r.Info.Error is { } e ? $": {e}" : ""),
                                r.Info.StartedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                                r.Info.WallSeconds?.ToString("0.0", CultureInfo.InvariantCulture) ?? "",
                                r.Info.ConfigHash[..12],
                            ]
                )
            );
        report.Heading("Config: the keys that differ");
        if (ConfigDifferences.Count == 0)
            report.Paragraph("The configs are identical (same config hash).");
        else
            report.Table(
                ["key", .. labels],
                ConfigDifferences.Select(kv => (IReadOnlyList<string>)[kv.Key, .. kv.Value])
            );
        var verdicts = Summaries
            .Where(kv =>
                kv.Key.StartsWith("verdict_", StringComparison.Ordinal)
                && !kv.Key.EndsWith("_measured", StringComparison.Ordinal)
            )
            .ToList();
        if (verdicts.Count > 0)
            report
                .Heading("Verdicts")
                .Table(
                    ["claim", .. labels],
                    verdicts.Select(kv =>
                        (IReadOnlyList<string>)
                            [
                                kv.Key["verdict_".Length..],
                                .. kv.Value.Select(
                                    (v, i) =>
                                        Summaries.FirstOrDefault(s => s.Key == kv.Key + "_measured").Value is { } m
                                            ? $"{v} ({m[i]})"
                                            : v
                                ),
                            ]
                    )
                );
        report
            .Heading("Summaries")
            .Table(
                ["field", .. labels],
                Summaries
                    .Where(kv => !kv.Key.StartsWith("verdict_", StringComparison.Ordinal))
                    .Select(kv => (IReadOnlyList<string>)[kv.Key, .. kv.Value])
            );
        figures = Curves(labels);
        if (figures.Count > 0)
            report.Heading("Metrics over training");
        foreach (var figure in figures)
            report.Figure(figure);
        return report;
    }

    private List<RenderedFigure> Curves(IReadOnlyList<string> labels)
    {
        var tables = Runs.Select(r => ReadMetrics(Path.Combine(r.Path, RunDirectory.MetricsFile))).ToList();
        if (tables.Any(t => t is null))
            return [];
        var shared = tables[0]!
            .Columns.Where(c => c != "step" && tables.All(t => t!.Columns.Contains(c)))
            .Where(c => tables.Any(t => t!.Column(c).Any(double.IsFinite)))
            .Take(MaxCurves)
            .ToList();
        if (!tables.All(t => t!.Columns.Contains("step")))
            return [];
        Color[] palette = [Colors.SteelBlue, Colors.OrangeRed, Colors.SeaGreen, Colors.Purple, Colors.DarkGoldenRod];
        var figures = new List<RenderedFigure>();
        foreach (var column in shared)
        {
            var values = tables.SelectMany(t => t!.Column(column)).Where(double.IsFinite).ToList();
            bool log = values.All(v => v > 0) && values.Max() / values.Min() > 100;
            var plot = Figure.NewPlot($"{column} of each run against the step", "step", column);
            for (int i = 0; i < tables.Count; i++)
            {
                var steps = tables[i]!.Column("step");
                var ys = tables[i]!.Column(column);
                var keep = Enumerable.Range(0, steps.Length).Where(j => double.IsFinite(ys[j])).ToArray();
                var line = plot.Add.Scatter(
                    keep.Select(j => steps[j]).ToArray(),
                    keep.Select(j => log ? Math.Log10(ys[j]) : ys[j]).ToArray()
                );
                line.Color = palette[i % palette.Length];
                line.LineWidth = 2;
                line.MarkerSize = 0;
                line.LegendText = labels[i];
            }
            if (log)
                Figure.LogY(plot);
            plot.ShowLegend(Alignment.UpperRight);
            figures.Add(
                Figure.Render(
                    plot,
                    "compare_" + new string(column.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray()),
                    $"{column} from each run's metrics.csv against the training step{(log ? " (log scale)" : "")}."
                )
            );
        }
        return figures;
    }

    private sealed record MetricsTable(IReadOnlyList<string> Columns, IReadOnlyList<double[]> Rows)
    {
        public double[] Column(string name)
        {
            int i = Columns.ToList().IndexOf(name);
            return Rows.Select(r => r[i]).ToArray();
        }
    }

    private static MetricsTable? ReadMetrics(string path)
    {
        if (!File.Exists(path))
            return null;
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2)
            return null;
        var columns = lines[0].Split(',');
        var rows = lines
            .Skip(1)
            .Where(l => l.Length > 0)
            .Select(l =>
                l.Split(',')
                    .Select(c =>
                        double.TryParse(c, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                            ? v
                            : double.NaN
                    )
                    .ToArray()
            )
            .Where(r => r.Length == columns.Length)
            .ToList();
        return new MetricsTable(columns, rows);
    }

    /// <summary>A config as dotted keys and the JSON text of each leaf (lists whole).</summary>
    public static Dictionary<string, string> Flatten(JsonElement config)
    {
        var flat = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(JsonElement e, string prefix)
        {
            if (e.ValueKind == JsonValueKind.Object)
                foreach (var p in e.EnumerateObject())
                    Walk(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}");
            else
                flat[prefix] = e.GetRawText();
        }
        Walk(config, "");
        return flat;
    }

    private static string Show(KeyValuePair<string, object?> value) =>
        value.Key is null
            ? "—"
            : value.Value switch
            {
                null => "null",
                double d => d.ToString("G6", CultureInfo.InvariantCulture),
                bool b => b ? "true" : "false",
                JsonElement e => e.GetRawText(),
                _ => value.Value.ToString() ?? "",
            };
}
