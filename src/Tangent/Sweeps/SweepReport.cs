using System.Globalization;
using System.Text;
using ScottPlot;
using Tangent.Reports;
using Tangent.Store;

namespace Tangent.Sweeps;

/// <summary>
/// The aggregate of a sweep, written by <c>tangent sweep collect</c>: <c>aggregate.csv</c> (one row per point and
/// metric: n, mean, standard deviation, 95 % interval), <c>figures/&lt;metric&gt;.svg|png</c> (each metric against
/// each axis: the runs as dots, the mean with its 95 % interval as error bars; against the seed when seeds are the
/// only axis) and a self-contained <c>report.html</c> with the status of every run.
/// </summary>
public static class SweepReport
{
    /// <summary>At most this many metrics get figures (the table and aggregate.csv hold all).</summary>
    public const int MaxFigureMetrics = 24;

    /// <summary>Writes aggregate.csv, the figures and report.html into <paramref name="dir"/>.</summary>
    public static void Write(
        string dir,
        SweepManifest manifest,
        SweepIndex index,
        IReadOnlyList<SweepRunStatus> statuses,
        IReadOnlyList<SweepStatistic> statistics
    )
    {
        var groupAxes = SweepAggregate.GroupAxes(manifest);
        WriteAggregateCsv(Path.Combine(dir, "aggregate.csv"), groupAxes, statistics);
        string what = manifest.Study is { } s ? $"study {s}" : manifest.Command;
        var report = new HtmlReport($"Tangent sweep: {Path.GetFileName(manifest.Source)}");
        var counts = statuses.GroupBy(x => x.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Name(g.Key)}");
        report.Paragraph(
            $"{manifest.Runs.Count} runs of {what} from {manifest.Source}: {string.Join(", ", counts)}. Axes: "
                + (manifest.Axes.Count == 0 ? "none" : string.Join(", ", manifest.Axes))
                + ". Statistics are over the finished runs of each point (every axis but the seed): mean, sample "
                + "standard deviation s and the 95 % t interval mean ± t(0.975, n − 1)·s/√n; a verdict counts 1 "
                + "where it holds, so its mean is the share of seeds where it holds, with the 95 % Wilson score "
                + "interval of a binomial share instead."
        );
        var failed = statuses.Where(x => x.State == SweepRunState.Failed).ToList();
        if (failed.Count > 0)
            report
                .Heading("Failed runs")
                .Table(
                    ["index", "id", "reason"],
                    failed.Select(f => (IReadOnlyList<string>)[Int(f.Point.Index), f.Point.Id, f.Reason ?? ""])
                );
        report
            .Heading("Aggregate over seeds")
            .Table(
                [.. groupAxes, "metric", "n", "mean", "std", "95 % interval"],
                statistics.Select(st =>
                    (IReadOnlyList<string>)
                        [
                            .. groupAxes.Select(a => SweepIndexFiles.Text(st.Point[a])),
                            st.Metric,
                            Int(st.N),
                            HtmlReport.Number(st.Mean),
                            HtmlReport.Number(st.Std),
                            st.N < 2 ? "—" : $"[{HtmlReport.Number(st.Low)}, {HtmlReport.Number(st.High)}]",
                        ]
                )
            );
        var metrics = statistics.Select(st => st.Metric).Distinct().ToList();
        var varying = metrics.Where(m => Varies(index, m)).ToList();
        if (varying.Count > 0)
            report.Heading("Figures");
        foreach (var metric in varying.Take(MaxFigureMetrics))
        foreach (var figure in Figures(manifest, index, statistics, metric))
        {
            AtomicFile.WriteAllText(Path.Combine(dir, "figures", figure.Name + ".svg"), figure.Svg);
            AtomicFile.WriteAllBytes(Path.Combine(dir, "figures", figure.Name + ".png"), figure.Png);
            report.Figure(figure);
        }
        if (varying.Count > MaxFigureMetrics)
            report.Paragraph(
                $"Figures of {varying.Count - MaxFigureMetrics} further metrics are left out; the table above and "
                    + "aggregate.csv hold them."
            );
        report
            .Heading("Runs")
            .Table(
                ["index", "id", .. manifest.Axes, "state", "wall (s)", "note"],
                statuses.Select(x =>
                    (IReadOnlyList<string>)
                        [
                            Int(x.Point.Index),
                            x.Point.Id,
                            .. manifest.Axes.Select(a =>
                                x.Point.Values.TryGetValue(a, out var v) ? v.GetRawText() : ""
                            ),
                            Name(x.State),
                            x.WallSeconds is { } w ? w.ToString("0.0", CultureInfo.InvariantCulture) : "",
                            x.Reason ?? "",
                        ]
                )
            );
        AtomicFile.WriteAllText(Path.Combine(dir, RunDirectory.ReportFile), report.Build());
    }

    /// <summary>The state's name as the index writes it.</summary>
    public static string Name(SweepRunState state) => state.ToString().ToLowerInvariant();

    private static IEnumerable<RenderedFigure> Figures(
        SweepManifest manifest,
        SweepIndex index,
        IReadOnlyList<SweepStatistic> statistics,
        string metric
    )
    {
        var groupAxes = SweepAggregate.GroupAxes(manifest);
        var numericAxes = groupAxes.Where(a => IsNumericAxis(index, a) && Distinct(index, a) > 1).ToList();
        int column = index.ColumnOf(metric),
            status = index.ColumnOf("status");
        var done = index.Rows.Where(r => (string?)r[status] == "done").ToList();
        if (groupAxes.Count == 0)
        {
            // Seeds only: the runs against their seed, with the mean and its 95 % interval as lines.
            var st = statistics.First(s => s.Metric == metric);
            var plot = Figure.NewPlot($"{metric} over {st.N} seeds", manifest.SeedKey, metric);
            int seedColumn = index.AxisColumnOf(manifest.SeedKey);
            var xs = done.Select(r => seedColumn >= 0 ? SweepIndex.NumberOf(r[seedColumn]) ?? 0 : 0).ToArray();
            var ys = done.Select(r => SweepIndex.NumberOf(r[column]) ?? double.NaN).ToArray();
            Dots(plot, xs, ys, "runs", Colors.SteelBlue);
            var mean = plot.Add.HorizontalLine(st.Mean);
            mean.Color = Colors.Black;
            mean.LegendText = $"mean {HtmlReport.Number(st.Mean)}";
            if (st.N >= 2)
                foreach (double bound in new[] { st.Low, st.High })
                {
                    var line = plot.Add.HorizontalLine(bound);
                    line.Color = Colors.Gray;
                    line.LinePattern = LinePattern.Dashed;
                }
            plot.ShowLegend(Alignment.UpperRight);
            yield return Figure.Render(
                plot,
                Slug(metric),
                $"{metric} of each finished run against its seed; the black line is the mean, the dashed lines its 95 %"
                    + " t interval."
            );
            yield break;
        }
        foreach (var axis in numericAxes)
        {
            var others = groupAxes.Where(a => a != axis).ToList();
            var series = statistics
                .Where(s => s.Metric == metric)
                .GroupBy(s => string.Join(", ", others.Select(o => $"{o}={SweepIndexFiles.Text(s.Point[o])}")))
                .ToList();
            if (series.Count > 8)
                continue;
            var plot = Figure.NewPlot($"{metric} against {axis}", axis, metric);
            Color[] palette =
            [
                Colors.SteelBlue,
                Colors.OrangeRed,
                Colors.SeaGreen,
                Colors.Purple,
                Colors.DarkGoldenRod,
                Colors.Teal,
                Colors.Crimson,
                Colors.SlateGray,
            ];
            int k = 0;
            int axisColumn = index.AxisColumnOf(axis);
            foreach (var group in series)
            {
                var color = palette[k++ % palette.Length];
                var points = group.OrderBy(s => SweepIndex.NumberOf(s.Point[axis])).ToList();
                var x = points.Select(s => SweepIndex.NumberOf(s.Point[axis]) ?? 0).ToArray();
                var y = points.Select(s => s.Mean).ToArray();
                var line = plot.Add.Scatter(x, y);
                line.Color = color;
                line.LineWidth = 2;
                line.LegendText = group.Key.Length == 0 ? "mean (95 % interval)" : group.Key;
                var bars = plot.Add.ErrorBar(x, y, points.Select(s => s.N < 2 ? 0 : s.High - s.Mean).ToArray());
                bars.Color = color;
                var members = done.Where(r =>
                        others.All(o =>
                            SweepIndexFiles.Text(r[index.AxisColumnOf(o)])
                            == SweepIndexFiles.Text(group.First().Point[o])
                        )
                    )
                    .ToList();
                Dots(
                    plot,
                    members.Select(r => SweepIndex.NumberOf(r[axisColumn]) ?? 0).ToArray(),
                    members.Select(r => SweepIndex.NumberOf(r[column]) ?? double.NaN).ToArray(),
                    null,
                    color.WithAlpha(0.45)
                );
            }
            plot.ShowLegend(Alignment.UpperRight);
            yield return Figure.Render(
                plot,
                Slug($"{metric}-vs-{axis}"),
                $"{metric} against {axis}: each run as a dot, the mean over seeds with its 95 % t interval as error "
                    + "bars."
            );
        }
    }

    private static void Dots(Plot plot, double[] xs, double[] ys, string? label, Color color)
    {
        var dots = plot.Add.ScatterPoints(xs, ys);
        dots.Color = color;
        dots.MarkerSize = 7;
        if (label is not null)
            dots.LegendText = label;
    }

    private static void WriteAggregateCsv(
        string path,
        IReadOnlyList<string> axes,
        IReadOnlyList<SweepStatistic> statistics
    )
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', [.. axes, "metric", "n", "mean", "std", "ci95_low", "ci95_high"]).Append('\n');
        foreach (var st in statistics)
            sb.AppendJoin(
                    ',',
                    [
                        .. axes.Select(a => SweepIndexFiles.Text(st.Point[a])),
                        st.Metric,
                        Int(st.N),
                        SweepIndexFiles.Text(st.Mean),
                        SweepIndexFiles.Text(st.Std),
                        SweepIndexFiles.Text(st.Low),
                        SweepIndexFiles.Text(st.High),
                    ]
                )
                .Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static bool IsNumericAxis(SweepIndex index, string axis) =>
        index.AxisColumnOf(axis) is var i and >= 0 && index.Columns[i].IsNumeric;

    private static int Distinct(SweepIndex index, string axis)
    {
        int i = index.AxisColumnOf(axis);
        return index.Rows.Select(r => SweepIndexFiles.Text(r[i])).Distinct().Count();
    }

    private static bool Varies(SweepIndex index, string metric)
    {
        int i = index.ColumnOf(metric);
        return index.Rows.Select(r => SweepIndexFiles.Text(r[i])).Where(t => t.Length > 0).Distinct().Count() > 1;
    }

    private static string Slug(string text) =>
        new(text.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
