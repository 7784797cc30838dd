using System.Diagnostics;

namespace Tangent.Sweeps;

/// <summary>
/// <c>tangent sweep run</c>: runs the unfinished runs of a sweep as up to <c>jobs</c> child processes of
/// <c>tangent sweep task</c> on this machine, each with its share of the threads. Each child runs in its own session
/// (setsid), so a terminal's Ctrl+C reaches only this process, which then asks every child once (SIGTERM) to stop at
/// its next safe point and waits for them: their runs read as interrupted and a re-run continues them. A failed run is
/// recorded by its task and the others go on.
/// </summary>
public sealed class LocalExecutor(SweepTaskCommand self, string dir, int jobs, int threadsPerJob)
{
    /// <summary>How long stopped children get to reach a safe point before they are killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Runs <paramref name="indices"/> (in order, at most <c>jobs</c> at a time), calling <paramref name="onChange"/>
    /// with the sweep's status after every start or end and about once a second; returns the final status.
    /// </summary>
    public IReadOnlyList<SweepRunStatus> Run(
        SweepManifest manifest,
        IReadOnlyList<int> indices,
        Action<IReadOnlyList<SweepRunStatus>> onChange,
        CancellationToken cancel
    )
    {
        Directory.CreateDirectory(Path.Combine(dir, "logs"));
        var queue = new Queue<int>(indices);
        var running = new Dictionary<int, Process>();
        try
        {
            while (queue.Count > 0 || running.Count > 0)
            {
                while (!cancel.IsCancellationRequested && running.Count < jobs && queue.Count > 0)
                {
                    int index = queue.Dequeue();
                    running[index] = Start(index);
                    onChange(SweepRunStatus.ReadAll(dir, manifest));
                }
                if (cancel.IsCancellationRequested)
                {
                    Stop(running.Values);
                    cancel.ThrowIfCancellationRequested();
                }
                var ended = running.Where(r => r.Value.WaitForExit(TimeSpan.FromMilliseconds(250))).ToList();
                foreach (var (index, process) in ended)
                {
                    process.Dispose();
                    running.Remove(index);
                }
                onChange(SweepRunStatus.ReadAll(dir, manifest));
            }
        }
        finally
        {
            foreach (var process in running.Values)
                process.Dispose();
        }
        return SweepRunStatus.ReadAll(dir, manifest);
    }

    private Process Start(int index)
    {
        string logs = Path.Combine(dir, "logs");
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        // sh runs the task in a new session with its output appended to the run's logs (exec keeps one pid).
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            "out=$1; err=$2; shift 2; if command -v setsid >/dev/null; then exec setsid \"$@\" >>\"$out\" 2>>\"$err\"; "
                + "else exec \"$@\" >>\"$out\" 2>>\"$err\"; fi"
        );
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(Path.Combine(logs, $"{index}.out"));
        start.ArgumentList.Add(Path.Combine(logs, $"{index}.err"));
        foreach (var arg in self.Task(dir, index, threadsPerJob))
            start.ArgumentList.Add(arg);
        return Process.Start(start) ?? throw new InvalidOperationException($"could not start the task of run {index}");
    }

    private static void Stop(IEnumerable<Process> processes)
    {
        var list = processes.ToList();
        foreach (var process in list)
            if (!process.HasExited)
                Signals.Send(process.Id, Signals.Terminate);
        var deadline = DateTime.UtcNow + StopGrace;
        foreach (var process in list)
        {
            var left = deadline - DateTime.UtcNow;
            if (!process.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                process.Kill();
        }
    }
}
