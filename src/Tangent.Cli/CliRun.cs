using System.CommandLine;
using System.Globalization;
using Tangent.Commands;
using Tangent.Store;

namespace Tangent.Cli;

/// <summary>The shared life of a command that writes a run directory: create, show progress, mark done or
/// failed.</summary>
public static class CliRun
{
    /// <summary>Default run directory: <c>runs/&lt;command&gt;-&lt;UTC time&gt;</c>.</summary>
    public static string DefaultDirectory(string command) =>
        Path.Combine("runs", command + "-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));

    /// <summary>
    /// Creates the run directory for <paramref name="config"/>, runs <paramref name="work"/> with progress, marks the
    /// run done (or failed, then rethrows) and prints <paramref name="work"/>'s closing lines and where the run is.
    /// </summary>
    public static int Execute<TConfig>(
        string command,
        TConfig config,
        long seed,
        string? outDir,
        bool force,
        TextWriter stdout,
        Func<RunDirectory, IProgress<ProgressReport>, IEnumerable<string>> work,
        IProgress<ProgressReport>? also = null
    )
    {
        var run = RunDirectory.Create(outDir ?? DefaultDirectory(command), command, config, seed, force);
        return ExecuteIn(run, command, stdout, work, also);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in an existing (created or reopened) run directory with progress, marks it done
    /// (or failed, then rethrows) and prints <paramref name="work"/>'s closing lines and where the run is.
    /// </summary>
    public static int ExecuteIn(
        RunDirectory run,
        string command,
        TextWriter stdout,
        Func<RunDirectory, IProgress<ProgressReport>, IEnumerable<string>> work,
        IProgress<ProgressReport>? also = null
    )
    {
        try
        {
            var lines = ConsoleProgress.Run(command, stdout, progress => work(run, progress).ToList(), also);
            run.Complete();
            foreach (var line in lines)
                stdout.WriteLine(line);
            stdout.WriteLine(
                $"wrote {run.Path} in {run.Info.WallSeconds:0.0} s (report: "
                    + $"{Path.Combine(run.Path, RunDirectory.ReportFile)})"
            );
            return TangentCli.Ok;
        }
        catch (Exception e)
        {
            bool resumable = command == "train" && Tangent.Training.Checkpoint.Exists(run.Path);
            // Bad input found once the work had started (e.g. --params of the wrong shape): a run with nothing in it
            // goes, so the corrected command can reuse the same --out; one that already wrote results is kept, failed.
            if (e is ConfigException && !resumable)
            {
                run.Discard(TangentCli.OneLine(e));
                throw;
            }
            run.Fail(e is OperationCanceledException ? "interrupted" : TangentCli.OneLine(e), resumable);
            throw;
        }
    }

    /// <summary>The <c>--threads</c> option every command that computes takes (0: LibTorch's default).</summary>
    public static Option<int> ThreadsOption() =>
        new("--threads")
        {
            Description = "LibTorch intra-op threads (0: LibTorch's default)",
            DefaultValueFactory = _ => 0,
        };

    /// <summary>The <c>--out</c> option of a command that writes a run directory (default runs/&lt;name&gt;-&lt;UTC
    /// time&gt;).</summary>
    public static Option<string?> OutOption(string name) =>
        new("--out") { Description = $"Run directory to write (default: runs/{name}-<UTC time>)", HelpName = "DIR" };

    /// <summary>The <c>--force</c> flag: replace the contents of a non-empty <c>--out</c> run directory.</summary>
    public static Option<bool> ForceOption() =>
        new("--force") { Description = "Replace the contents of a non-empty --out directory" };

    /// <summary>The <c>--skip-memory-check</c> flag of commands that estimate their peak memory before they
    /// start.</summary>
    public static Option<bool> SkipMemoryCheckOption() =>
        new(MemoryBudget.OverrideOption)
        {
            Description = "Start even when the estimated peak memory exceeds what the machine has available",
        };

    /// <summary>
    /// Checks the .npy inputs of a kernel command before its run directory exists: their shapes from the headers, the
    /// memory <paramref name="estimate"/> for those row counts, then every value (finite); returns the row counts (n,
    /// m; m = 0 without a query). <paramref name="columns"/> null: inputs of any shape [n, …] (a TorchScript model),
    /// the query shaped like them.
    /// </summary>
    public static (long N, long M) CheckInputs(
        string inputs,
        string? query,
        int? columns,
        Func<long, long, IReadOnlyList<MemoryItem>> estimate,
        bool skipMemoryCheck
    )
    {
        if (columns is not { } d)
        {
            long[] shape = NpyInputs.ShapeOf(inputs, "--inputs");
            long rows = query is null ? 0 : NpyInputs.ShapeOf(query, "--query")[0];
            MemoryBudget.Require(estimate(shape[0], rows), skipMemoryCheck);
            using (NpyInputs.LoadArray(inputs, "--inputs")) { }
            if (query is not null)
                using (NpyInputs.LoadArray(query, "--query", shape)) { }
            return (shape[0], rows);
        }
        // Shapes from the headers first, so an input too large for memory is refused before it is read.
        long n = NpyInputs.Rows(inputs, "--inputs", d);
        long m = query is null ? 0 : NpyInputs.Rows(query, "--query", d);
        MemoryBudget.Require(estimate(n, m), skipMemoryCheck);
        NpyInputs.Check(inputs, "--inputs", d);
        if (query is not null)
            NpyInputs.Check(query, "--query", d);
        return (n, m);
    }

    /// <summary>Applies <c>--threads</c> (0 keeps LibTorch's default).</summary>
    public static void SetThreads(int threads)
    {
        ConfigException.Require(
            threads >= 0,
            "--threads",
            $"must be ≥ 0, got {threads}",
            "pass 0 for LibTorch's default or a thread count"
        );
        if (threads > 0)
            TorchSharp.torch.set_num_threads(threads);
    }
}
