namespace Tangent.Sweeps;

/// <summary>
/// What the last task of one sweep run did, as <c>DIR/tasks/&lt;index&gt;.json</c>: written when the task starts and
/// again when it ends (exit code and, on failure, the one-line error). It tells <c>tangent sweep status</c> about
/// tasks that failed before their run directory existed, and which scheduler job ran them.
/// </summary>
public sealed record SweepTaskRecord
{
    /// <summary>The run's index in the manifest.</summary>
    public required int Index { get; init; }

    /// <summary>The run's id.</summary>
    public required string Id { get; init; }

    /// <summary>Host of the task.</summary>
    public required string Host { get; init; }

    /// <summary>Process id of the task.</summary>
    public required int Pid { get; init; }

    /// <summary>The Slurm job (<c>ARRAYJOB_TASK</c>) when the task ran under Slurm.</summary>
    public string? SlurmJob { get; init; }

    /// <summary>Start time.</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>End time, once ended.</summary>
    public DateTimeOffset? FinishedUtc { get; init; }

    /// <summary>The task's exit code, once ended (0 done, 1 failed, 2 bad input, 130 interrupted).</summary>
    public int? ExitCode { get; init; }

    /// <summary>The one-line error of a failed task.</summary>
    public string? Error { get; init; }

    /// <summary>Path of the record of run <paramref name="index"/> in the sweep at <paramref name="dir"/>.</summary>
    public static string PathOf(string dir, int index) => System.IO.Path.Combine(dir, "tasks", $"{index}.json");

    /// <summary>Path of the progress file of run <paramref name="index"/>.</summary>
    public static string ProgressPathOf(string dir, int index) =>
        System.IO.Path.Combine(dir, "tasks", $"{index}.progress.json");

    /// <summary>Reads the record of run <paramref name="index"/>, or null when there is none (or it is
    /// unreadable).</summary>
    public static SweepTaskRecord? Read(string dir, int index) => ReadJson<SweepTaskRecord>(PathOf(dir, index));

    /// <summary>Reads the latest progress report of run <paramref name="index"/>, or null.</summary>
    public static ProgressReport? ReadProgress(string dir, int index) =>
        ReadJson<ProgressReport>(ProgressPathOf(dir, index));

    private static T? ReadJson<T>(string path)
        where T : class
    {
        try
        {
            return File.Exists(path) ? Json.Deserialize<T>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
