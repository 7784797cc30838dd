namespace Tangent.Sweeps;

/// <summary>One submission of a sweep's array job, as recorded in <c>DIR/slurm/jobs.json</c>.</summary>
public sealed record SlurmJob
{
    /// <summary>The array job's id, as sbatch printed it.</summary>
    public required string JobId { get; init; }

    /// <summary>The run indices it holds.</summary>
    public required IReadOnlyList<int> Indices { get; init; }

    /// <summary>The script it ran.</summary>
    public required string Script { get; init; }

    /// <summary>When it was submitted.</summary>
    public required DateTimeOffset SubmittedUtc { get; init; }

    /// <summary>Path of the submissions record of the sweep at <paramref name="dir"/>.</summary>
    public static string RecordPath(string dir) => Path.Combine(dir, "slurm", "jobs.json");

    /// <summary>Every submission of the sweep at <paramref name="dir"/>, oldest first.</summary>
    public static IReadOnlyList<SlurmJob> ReadAll(string dir)
    {
        string path = RecordPath(dir);
        return File.Exists(path) ? Json.Deserialize<List<SlurmJob>>(File.ReadAllText(path)) : [];
    }
}
