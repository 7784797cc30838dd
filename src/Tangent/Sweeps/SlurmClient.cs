using System.Diagnostics;
using System.Globalization;

namespace Tangent.Sweeps;

/// <summary>
/// The Slurm commands a sweep needs (sbatch to submit, squeue and sacct to see its tasks), found on PATH. A
/// missing command or a refusal is a one-line <see cref="ConfigException"/> that passes on what Slurm said.
/// </summary>
public static class SlurmClient
{
    /// <summary>Submits <paramref name="script"/> with <c>sbatch --parsable</c>; returns the job id.</summary>
    public static string Submit(string script)
    {
        var (code, stdout, stderr) = Call("sbatch", ["--parsable", script]);
        ConfigException.Require(
            code == 0,
            "sbatch",
            $"refused the job: {OneLine(stderr.Length > 0 ? stderr : stdout)}",
            "fix the option it names (tangent sweep slurm --help) and submit again"
        );
        string id = stdout.Trim().Split(';')[0];
        ConfigException.Require(
            id.Length > 0 && id.All(char.IsAsciiDigit),
            "sbatch",
            $"printed '{OneLine(stdout)}' instead of a job id",
            "check the Slurm installation (sbatch --parsable prints the id)"
        );
        return id;
    }

    /// <summary>
    /// The array tasks of job <paramref name="jobName"/> that squeue holds, by array index; then, for the indices it no
    /// longer holds, the final states sacct reports for <paramref name="jobIds"/> (when accounting is enabled; without
    /// it those indices are simply absent).
    /// </summary>
    public static IReadOnlyDictionary<int, SchedulerTask> Query(string jobName, IReadOnlyList<string> jobIds)
    {
        var tasks = new Dictionary<int, SchedulerTask>();
        var (code, stdout, stderr) = Call("squeue", ["-h", "-r", "-n", jobName, "-o", "%i|%T|%r"]);
        ConfigException.Require(
            code == 0,
            "squeue",
            $"failed: {OneLine(stderr)}",
            "check that slurmctld is reachable (scontrol ping)"
        );
        foreach (var (index, task) in Parse(stdout))
            tasks[index] = task;
        if (jobIds.Count > 0 && Find("sacct") is not null)
        {
            var (ok, accounted, _) = Call(
                "sacct",
                ["-n", "-P", "-X", "-j", string.Join(',', jobIds), "-o", "JobID,State"]
            );
            if (ok == 0)
                foreach (var (index, task) in Parse(accounted))
                    tasks.TryAdd(index, task);
        }
        return tasks;
    }

    /// <summary>Parses <c>JOB_INDEX|STATE|REASON</c> lines (squeue -r -o "%i|%T|%r", sacct -P).</summary>
    public static IEnumerable<(int Index, SchedulerTask Task)> Parse(string lines)
    {
        foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            string job = fields[0];
            int underscore = job.IndexOf('_');
            if (
                underscore < 0
                || !int.TryParse(job[(underscore + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            )
                continue;
            // sacct writes "CANCELLED by 0"; the state is the first word.
            string state = fields.Length > 1 ? fields[1].Split(' ')[0] : "UNKNOWN";
            string reason = fields.Length > 2 && fields[2] != "None" ? fields[2] : "";
            yield return (i, new SchedulerTask(job, state, reason));
        }
    }

    /// <summary>The full path of <paramref name="command"/> on PATH, or null.</summary>
    public static string? Find(string command) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, command))
            .FirstOrDefault(File.Exists);

    /// <summary>The full path of the Slurm command <paramref name="command"/>, or a one-line error saying what to
    /// install.</summary>
    public static string Require(string command) =>
        Find(command)
        ?? throw new ConfigException(
            command,
            "is not installed (not found on PATH)",
            "install Slurm's client commands (Debian: apt-get install slurm-client), or run the sweep on this "
                + "machine with tangent sweep run DIR"
        );

    private static (int Code, string Stdout, string Stderr) Call(string command, IReadOnlyList<string> args)
    {
        string program = Require(command);
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    private static string OneLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string joined = string.Join(" ", lines.Select(l => l.StartsWith("sbatch: error: ") ? l[15..] : l));
        return joined.Length == 0 ? "(no message)" : joined;
    }
}
