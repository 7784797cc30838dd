using Spectre.Console;
using Tangent.Commands;

namespace Tangent.Cli;

/// <summary>
/// Shows progress of long work: a Spectre.Console bar on an interactive terminal, plain lines (one per stage change and
/// per 10 % of a stage) when output is redirected.
/// </summary>
public static class ConsoleProgress
{
    /// <summary>Whether <paramref name="stdout"/> is a terminal that can show live bars (else plain lines).</summary>
    public static bool IsInteractive(TextWriter stdout) =>
        ReferenceEquals(stdout, Console.Out)
        && !Console.IsOutputRedirected
        && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, forwarding its reports to the console (and to
    /// <paramref name="also"/>, e.g. a sweep task's progress file).</summary>
    public static T Run<T>(
        string title,
        TextWriter stdout,
        Func<IProgress<ProgressReport>, T> work,
        IProgress<ProgressReport>? also = null
    )
    {
        if (also is not null)
        {
            var inner = work;
            work = progress => inner(new Synchronous(r => Tee(progress, also, r)));
        }
        bool interactive = ConsoleProgress.IsInteractive(stdout);
        if (!interactive)
            return work(new PlainLines(title, stdout));

        T result = default!;
        // No refresh thread: a thread allocating while the work is inside LibTorch can let a collection free a
        // TorchSharp Scalar still in use (see HeldScalars); the bar is redrawn on the working thread at each report.
        AnsiConsole
            .Progress()
            .AutoRefresh(false)
            .AutoClear(false)
            .Columns(ProgressLayout.Columns())
            .Start(ctx =>
            {
                var task = ctx.AddTask(ProgressLayout.Description(title, ProgressLayout.TerminalWidth), maxValue: 1.0);
                result = work(
                    new Synchronous(report =>
                    {
                        task.Value = Math.Clamp(report.Fraction, 0, 1);
                        task.Description = ProgressLayout.Description(
                            $"{title}: {report.Stage} {report.Message}",
                            ProgressLayout.TerminalWidth
                        );
                        ctx.Refresh();
                    })
                );
                task.Value = 1.0;
                ctx.Refresh();
            });
        return result;
    }

    private static void Tee(IProgress<ProgressReport> first, IProgress<ProgressReport> second, ProgressReport report)
    {
        first.Report(report);
        second.Report(report);
    }

    /// <summary>IProgress that calls back on the reporting thread (System.Progress posts to a context).</summary>
    private sealed class Synchronous(Action<ProgressReport> onReport) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => onReport(value);
    }

    private sealed class PlainLines(string title, TextWriter stdout) : IProgress<ProgressReport>
    {
        private string _stage = "";
        private int _decile = -1;

        public void Report(ProgressReport value)
        {
            int decile = (int)Math.Floor(Math.Clamp(value.Fraction, 0, 1) * 10);
            if (value.Stage == _stage && decile == _decile)
                return;
            _stage = value.Stage;
            _decile = decile;
            stdout.WriteLine($"[{title}] {value.Stage} {value.Fraction * 100, 3:0}%  {value.Message}");
            stdout.Flush();
        }
    }
}
