namespace Tangent.Sweeps;

/// <summary>What the scheduler says of one array task: its state (squeue's or sacct's, e.g. PENDING, RUNNING,
/// CANCELLED), the reason it gives, and the job id (<c>ARRAYJOB_TASK</c>).</summary>
public sealed record SchedulerTask(string JobId, string State, string Reason)
{
    /// <summary>Queued and not yet started.</summary>
    public bool IsQueued => State is "PENDING" or "CONFIGURING" or "REQUEUED" or "RESV_DEL_HOLD" or "SUSPENDED";

    /// <summary>Started and not yet ended.</summary>
    public bool IsRunning => State is "RUNNING" or "COMPLETING" or "STAGE_OUT" or "SIGNALING";

    /// <summary>Queued or running: the scheduler still holds it.</summary>
    public bool IsActive => IsQueued || IsRunning;
}
