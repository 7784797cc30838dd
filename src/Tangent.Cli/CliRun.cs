using System.Globalization;
using Tangent.Store;

namespace Tangent.Cli;

/// <summary>The shared life of a command that writes a run directory: create, show progress, mark done or failed.</summary>
public static class CliRun
{
    /// <summary>Default run directory: <c>runs/&lt;command&gt;-&lt;UTC time&gt;</c>.</summary>
    public static string DefaultDirectory(string command) =>
        Path.Combine("runs", command + "-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));

    /// <summary>
    /// Creates the run directory for <paramref name="config"/>, runs <paramref name="work"/> with progress, marks the
    /// run done (or failed, then rethrows) and prints <paramref name="work"/>'s closing lines and where the run is.
    /// </summary>
    public static int Execute<TConfig>(string command, TConfig config, long seed, string? outDir, bool force, TextWriter stdout,
                                       Func<RunDirectory, IProgress<ProgressReport>, IEnumerable<string>> work)
    {
        var run = RunDirectory.Create(outDir ?? DefaultDirectory(command), command, config, seed, force);
        try
        {
            var lines = ConsoleProgress.Run(command, stdout, progress => work(run, progress).ToList());
            run.Complete();
            foreach (var line in lines) stdout.WriteLine(line);
            stdout.WriteLine($"wrote {run.Path} in {run.Info.WallSeconds:0.0} s (report: {Path.Combine(run.Path, RunDirectory.ReportFile)})");
            return TangentCli.Ok;
        }
        catch (Exception e)
        {
            run.Fail(e is OperationCanceledException ? "interrupted" : TangentCli.OneLine(e));
            throw;
        }
    }

    /// <summary>Applies <c>--threads</c> (0 keeps LibTorch's default).</summary>
    public static void SetThreads(int threads)
    {
        ConfigException.Require(threads >= 0, "--threads", $"must be ≥ 0, got {threads}", "pass 0 for LibTorch's default or a thread count");
        if (threads > 0) TorchSharp.torch.set_num_threads(threads);
    }
}
