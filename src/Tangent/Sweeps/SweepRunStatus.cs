using Tangent.Store;

namespace Tangent.Sweeps;

/// <summary>
/// The status of one run of a sweep, read from its run directory, its task record and (under Slurm) the scheduler:
/// the state, why it failed or waits, its wall time and the latest progress of a running task.
/// </summary>
public sealed record SweepRunStatus
{
    /// <summary>The run.</summary>
    public required SweepPoint Point { get; init; }

    /// <summary>Where it stands.</summary>
    public required SweepRunState State { get; init; }

    /// <summary>Why it failed, or why the scheduler holds it.</summary>
    public string? Reason { get; init; }

    /// <summary>Wall time of a finished run, seconds.</summary>
    public double? WallSeconds { get; init; }

    /// <summary>The run record, when the run directory exists.</summary>
    public RunInfo? Info { get; init; }

    /// <summary>The latest progress of a running task.</summary>
    public ProgressReport? Progress { get; init; }

    /// <summary>The scheduler's job id of its last task, when it ran under Slurm.</summary>
    public string? Job { get; init; }

    /// <summary>
    /// The status of every run of the sweep at <paramref name="dir"/>. <paramref name="scheduler"/> gives what the
    /// scheduler holds by array index (empty for local sweeps): a run whose directory says running while the
    /// scheduler no longer holds its task ended without finishing, wherever it ran.
    /// </summary>
    public static IReadOnlyList<SweepRunStatus> ReadAll(
        string dir,
        SweepManifest manifest,
        IReadOnlyDictionary<int, SchedulerTask>? scheduler = null
    ) => manifest.Runs.Select(p => Read(dir, p, scheduler?.GetValueOrDefault(p.Index), scheduler is not null)).ToList();

    private static SweepRunStatus Read(string dir, SweepPoint point, SchedulerTask? task, bool underScheduler)
    {
        string runPath = SweepManifest.RunPath(dir, point);
        var record = SweepTaskRecord.Read(dir, point.Index);
        RunInfo? info = File.Exists(Path.Combine(runPath, RunDirectory.RunFile)) ? InspectQuietly(runPath) : null;
        var status = new SweepRunStatus
        {
            Point = point,
            State = SweepRunState.Pending,
            Info = info,
            Job = task?.JobId ?? record?.SlurmJob,
        };
        if (info?.Status == RunStatus.Done)
            return status with { State = SweepRunState.Done, WallSeconds = info.WallSeconds };
        if (task is { IsQueued: true })
            return status with { State = SweepRunState.Queued, Reason = task.Reason };
        bool taskAlive = record is { ExitCode: null } && TaskAlive(record, task, underScheduler);
        if (taskAlive || task is { IsRunning: true })
            return status with
            {
                State = SweepRunState.Running,
                Progress = SweepTaskRecord.ReadProgress(dir, point.Index),
            };
        if (info?.Status == RunStatus.Failed)
            return status with { State = SweepRunState.Failed, Reason = info.Error };
        if (record is { ExitCode: { } code } && code != 0)
            return status with
            {
                State = SweepRunState.Failed,
                Reason = record.Error ?? $"the task exited with code {code}",
            };
        if (record is { ExitCode: null } || info?.Status == RunStatus.Running)
            return status with
            {
                State = SweepRunState.Failed,
                Reason = task is null
                    ? "the task ended without finishing (killed, or its node failed)"
                    : $"the task ended without finishing (scheduler: {task.State} {task.Reason})".TrimEnd(),
            };
        return status;
    }

    /// <summary>A task with no exit code yet still runs if the scheduler says so, or (locally) if its process
    /// lives.</summary>
    private static bool TaskAlive(SweepTaskRecord record, SchedulerTask? task, bool underScheduler)
    {
        if (underScheduler && record.SlurmJob is not null)
            return task is { IsActive: true };
        if (record.Host != Environment.MachineName)
            return true;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(record.Pid);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static RunInfo? InspectQuietly(string path)
    {
        try
        {
            return RunDirectory.Inspect(path);
        }
        catch (ConfigException)
        {
            return null;
        }
    }
}
