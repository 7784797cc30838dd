namespace Tangent.Sweeps;

/// <summary>Where one run of a sweep stands.</summary>
public enum SweepRunState
{
    /// <summary>Not started (and, under Slurm, not queued).</summary>
    Pending,

    /// <summary>Queued by the scheduler, not yet started.</summary>
    Queued,

    /// <summary>Its task is running.</summary>
    Running,

    /// <summary>Finished: its run directory is complete.</summary>
    Done,

    /// <summary>Its task ended without finishing; <see cref="SweepRunStatus.Reason"/> says why.</summary>
    Failed,
}
