using System.Globalization;
using System.Text;

namespace Tangent.Sweeps;

/// <summary>
/// The sbatch script of a sweep: one array job whose task <c>$SLURM_ARRAY_TASK_ID</c> runs
/// <c>tangent sweep task DIR --index $SLURM_ARRAY_TASK_ID</c>, writing its own run directory on the shared filesystem,
/// with logs <c>DIR/slurm/logs/%A_%a.out|err</c>.
/// </summary>
public static class SlurmScript
{
    /// <summary>
    /// The <c>--array</c> value for <paramref name="indices"/>: consecutive runs as ranges (<c>0-3,7,9-11</c>), then
    /// <c>%C</c> when <paramref name="maxParallel"/> is set.
    /// </summary>
    public static string ArraySpec(IReadOnlyList<int> indices, int? maxParallel)
    {
        if (indices.Count == 0)
            throw new ArgumentException("an array job needs at least one index", nameof(indices));
        var sorted = indices.Distinct().Order().ToList();
        var parts = new List<string>();
        int start = sorted[0],
            previous = sorted[0];
        foreach (int i in sorted.Skip(1).Append(int.MinValue))
        {
            if (i == previous + 1)
            {
                previous = i;
                continue;
            }
            parts.Add(start == previous ? Text(start) : $"{Text(start)}-{Text(previous)}");
            (start, previous) = (i, i);
        }
        string spec = string.Join(',', parts);
        return maxParallel is { } c ? $"{spec}%{Text(c)}" : spec;
    }

    /// <summary>The job name of the sweep at <paramref name="dir"/> (squeue finds its tasks by it).</summary>
    public static string JobName(string dir) =>
        "tangent-" + SweepPlanner.IdOf(System.Text.Json.JsonSerializer.SerializeToElement(Path.GetFullPath(dir)))[..8];

    /// <summary>The script text.</summary>
    public static string Text(SweepTaskCommand self, string dir, IReadOnlyList<int> indices, SlurmOptions options)
    {
        string full = Path.GetFullPath(dir);
        string logs = Path.Combine(full, "slurm", "logs");
        var sb = new StringBuilder("#!/bin/bash\n");
        sb.Append("# Written by tangent sweep slurm: one array task per unfinished run of the sweep in\n");
        sb.Append($"# {full}. Submit with sbatch, or pass --submit.\n");
        void Line(string option) => sb.Append("#SBATCH ").Append(option).Append('\n');
        Line($"--job-name={JobName(full)}");
        Line($"--array={ArraySpec(indices, options.MaxParallel)}");
        Line($"--output={logs}/%A_%a.out");
        Line($"--error={logs}/%A_%a.err");
        Line($"--cpus-per-task={Text(options.CpusPerTask)}");
        if (options.Partition is { } partition)
            Line($"--partition={partition}");
        if (options.Time is { } time)
            Line($"--time={time}");
        if (options.Memory is { } memory)
            Line($"--mem={memory}");
        foreach (var extra in options.Extra)
        {
            string line = extra.Trim();
            sb.Append(line.StartsWith("#SBATCH", StringComparison.Ordinal) ? line : "#SBATCH " + line).Append('\n');
        }
        sb.Append("set -euo pipefail\n");
        var command = self.Task(full, 0, 0).ToList();
        // The index and thread count come from Slurm at run time.
        command[^3] = "\"$SLURM_ARRAY_TASK_ID\"";
        command[^1] = "\"${SLURM_CPUS_PER_TASK:-1}\"";
        sb.Append("exec ")
            .AppendJoin(' ', command.Select((a, i) => i >= command.Count - 3 && a.StartsWith('"') ? a : Quote(a)))
            .Append('\n');
        return sb.ToString();
    }

    /// <summary>Single-quotes <paramref name="text"/> for bash.</summary>
    public static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
