using Spectre.Console;
using Tangent.Sweeps;

namespace Tangent.Cli;

/// <summary>
/// One progress display for a whole sweep: on a terminal a bar for the sweep (finished runs plus the running runs'
/// fractions) and one per started run; redirected, a line whenever a run starts or ends, and every 30 s.
/// </summary>
public static class SweepProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports the sweep's status through the callback it is
    /// given.</summary>
    public static T Run<T>(
        TextWriter stdout,
        SweepManifest manifest,
        Func<Action<IReadOnlyList<SweepRunStatus>>, T> work
    )
    {
        bool interactive = ConsoleProgress.IsInteractive(stdout);
        if (!interactive)
        {
            string last = "";
            var lastTime = DateTime.MinValue;
            return work(statuses =>
            {
                string counts = Line(statuses);
                if (counts == last && DateTime.UtcNow - lastTime < TimeSpan.FromSeconds(30))
                    return;
                (last, lastTime) = (counts, DateTime.UtcNow);
                string running = string.Join(
                    ", ",
                    statuses
                        .Where(s => s.State == SweepRunState.Running)
                        .Select(s =>
                            $"#{s.Point.Index} {(s.Progress is { } p ? $"{p.Fraction * 100:0}%" : "")}".TrimEnd()
                        )
                );
                stdout.WriteLine($"[sweep] {counts}{(running.Length > 0 ? $" ({running})" : "")}");
                stdout.Flush();
            });
        }
        T result = default!;
        AnsiConsole
            .Progress()
            .AutoClear(false)
            .Columns(ProgressLayout.Columns())
            .Start(ctx =>
            {
                var total = ctx.AddTask($"sweep ({manifest.Runs.Count} runs)", maxValue: manifest.Runs.Count);
                var rows = new Dictionary<int, ProgressTask>();
                result = work(statuses =>
                {
                    double sum = 0;
                    foreach (var s in statuses)
                    {
                        double fraction = s.State switch
                        {
                            SweepRunState.Done or SweepRunState.Failed => 1,
                            SweepRunState.Running => Math.Clamp(s.Progress?.Fraction ?? 0, 0, 1),
                            _ => 0,
                        };
                        sum += fraction;
                        if (s.State == SweepRunState.Running && !rows.ContainsKey(s.Point.Index))
                            rows[s.Point.Index] = ctx.AddTask($"run {s.Point.Index}", maxValue: 1.0);
                        if (rows.TryGetValue(s.Point.Index, out var row))
                        {
                            row.Value = fraction;
                            string stage = s.Progress is { } p ? $" {p.Stage}" : "";
                            row.Description = ProgressLayout.Description(
                                $"run {s.Point.Index} {SweepReport.Name(s.State)}{stage}",
                                ProgressLayout.TerminalWidth
                            );
                        }
                    }
                    total.Value = sum;
                    total.Description = ProgressLayout.Description(
                        $"sweep: {Line(statuses)}",
                        ProgressLayout.TerminalWidth
                    );
                });
                total.Value = manifest.Runs.Count;
            });
        return result;
    }

    private static string Line(IReadOnlyList<SweepRunStatus> statuses) => SweepCommand.Counts(statuses);
}
