namespace Tangent.Sweeps;

/// <summary>The <c>#SBATCH</c> settings of a sweep's array job (<c>tangent sweep slurm</c>); null leaves a setting to
/// the cluster's defaults.</summary>
public sealed record SlurmOptions
{
    /// <summary><c>--partition</c>.</summary>
    public string? Partition { get; init; }

    /// <summary><c>--time</c> per task, in any form sbatch takes (e.g. 30, 1:00:00, 1-0).</summary>
    public string? Time { get; init; }

    /// <summary><c>--cpus-per-task</c>; the task uses as many LibTorch threads.</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary><c>--mem</c> per task (e.g. 4G).</summary>
    public string? Memory { get; init; }

    /// <summary>The array's <c>%C</c>: at most this many tasks at once (null: no limit).</summary>
    public int? MaxParallel { get; init; }

    /// <summary>Further <c>#SBATCH</c> lines, verbatim (with or without the <c>#SBATCH</c> prefix).</summary>
    public IReadOnlyList<string> Extra { get; init; } = [];
}
