using System.CommandLine;
using System.Globalization;
using Tangent.Compare;
using Tangent.Store;

namespace Tangent.Cli;

/// <summary><c>tangent runs [DIR]</c> lists runs; <c>tangent compare RUN RUN …</c> writes one report comparing
/// them.</summary>
public static class RunsCommand
{
    /// <summary>Builds <c>tangent runs</c>.</summary>
    public static Command Runs(TextWriter stdout, TextWriter stderr)
    {
        var dir = new Argument<string>("DIR")
        {
            Description = "Directory to search for runs (default: runs)",
            Arity = ArgumentArity.ZeroOrOne,
            DefaultValueFactory = _ => "runs",
        };
        var status = new Option<string?>("--status")
        {
            Description = "Only runs with this status: running, done or failed",
            HelpName = "STATUS",
        };
        status.AcceptOnlyFromAmong("running", "done", "failed");
        var command = new Command(
            "runs",
            "List the runs under DIR (study arms and sweep runs included): command, status (failed with the reason), "
                + "key metrics, start time, wall time, config hash."
        )
        {
            dir,
            status,
        };
        command.SetAction(parse =>
            TangentCli.Guard(
                parse,
                stderr,
                _ =>
                {
                    var entries = RunListing.Find(parse.GetValue(dir)!);
                    if (parse.GetValue(status) is { } only)
                        entries = entries.Where(e => e.Info?.Status.ToString().ToLowerInvariant() == only).ToList();
                    var rows = entries.Select(Row).ToList();
                    string[] header = ["run", "command", "status", "key metrics", "started (UTC)", "wall", "config"];
                    var widths = header
                        .Select((h, i) => Math.Min(48, rows.Select(r => r[i].Length).Append(h.Length).Max()))
                        .ToArray();
                    stdout.WriteLine(Line(header, widths));
                    foreach (var row in rows)
                        stdout.WriteLine(Line(row, widths));
                    stdout.WriteLine(
                        $"{entries.Count} runs: "
                            + string.Join(
                                ", ",
                                entries
                                    .GroupBy(e => e.Info?.Status.ToString().ToLowerInvariant() ?? "unreadable")
                                    .Select(g => $"{g.Count()} {g.Key}")
                            )
                    );
                    return TangentCli.Ok;
                }
            )
        );
        return command;
    }

    /// <summary>Builds <c>tangent compare</c>.</summary>
    public static Command Compare(TextWriter stdout, TextWriter stderr)
    {
        var runs = new Argument<string[]>("RUN")
        {
            Description = "Two or more run directories",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = CliRun.OutOption("compare");
        var force = CliRun.ForceOption();
        var command = new Command(
            "compare",
            "Compare runs in one report: the config keys that differ, summaries and verdicts side by side, and their "
                + "metrics.csv curves overlaid."
        )
        {
            runs,
            output,
            force,
        };
        command.SetAction(parse =>
            TangentCli.Guard(
                parse,
                stderr,
                _ =>
                {
                    var paths = parse.GetValue(runs)!;
                    var comparison = RunComparison.Of(paths);
                    var labels = comparison.Labels();
                    var config = new CompareConfig { Runs = comparison.Runs.Select(r => r.Path).ToList() };
                    return CliRun.Execute(
                        "compare",
                        config,
                        0,
                        parse.GetValue(output),
                        parse.GetValue(force),
                        stdout,
                        (run, _) =>
                        {
                            var report = comparison.Report(out var figures);
                            foreach (var figure in figures)
                                run.WriteFigure(figure.Name, figure.Svg, figure.Png);
                            run.WriteSummary([
                                new("runs", comparison.Runs.Count),
                                new("config_differences", comparison.ConfigDifferences.Count),
                                new("figures", figures.Count),
                            ]);
                            run.WriteReport(report.Build());
                            var lines = new List<string>();
                            lines.Add(
                                comparison.ConfigDifferences.Count == 0
                                    ? "configs: identical"
                                    : $"configs differ in {comparison.ConfigDifferences.Count} keys:"
                            );
                            foreach (var (key, values) in comparison.ConfigDifferences.Take(20))
                                lines.Add($"  {key}: {string.Join(" | ", values)}");
                            foreach (var (key, values) in comparison.Summaries.Take(30))
                                lines.Add($"  {key}: {string.Join(" | ", values)}");
                            lines.Insert(0, "runs: " + string.Join(" | ", labels));
                            return lines;
                        }
                    );
                }
            )
        );
        return command;
    }

    private static string[] Row(RunEntry e) =>
        e.Info is not { } info
            ? [e.Relative, "?", "unreadable", e.Problem ?? "", "", "", ""]
            :
            [
                e.Relative,
                info.Command,
                info.Status.ToString().ToLowerInvariant() + (info.Error is { } err ? $": {err}" : ""),
                e.KeyMetrics(),
                info.StartedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                info.WallSeconds is { } w ? $"{w:0.0} s" : "",
                info.ConfigHash[..12],
            ];

    private static string Line(string[] cells, int[] widths) =>
        string.Join(
                "  ",
                cells.Select((c, i) => (c.Length > widths[i] ? c[..(widths[i] - 1)] + "…" : c).PadRight(widths[i]))
            )
            .TrimEnd();
}
