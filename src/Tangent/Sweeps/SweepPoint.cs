using System.Text.Json;

namespace Tangent.Sweeps;

/// <summary>
/// One run of a sweep: its index in the manifest (the Slurm array task id), its stable id (the first 16 hex digits of
/// the SHA-256 of its resolved config, so re-planning gives the same ids), the axis values that made it, and the fully
/// resolved config it runs.
/// </summary>
public sealed record SweepPoint
{
    /// <summary>Position in the manifest, 0-based.</summary>
    public required int Index { get; init; }

    /// <summary>Stable id: a hash of <see cref="Config"/>.</summary>
    public required string Id { get; init; }

    /// <summary>The value of each axis (seed included) at this point, by config key.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Values { get; init; }

    /// <summary>The resolved config: the base, the fixed overrides and this point's values.</summary>
    public required JsonElement Config { get; init; }
}
