using System.Text.Json;

namespace Tangent.Sweeps;

/// <summary>
/// A sweep file (docs/sweeps.md): a base config and the axes over it. The runs are the Cartesian product of the
/// <see cref="Grid"/> axes, times the <see cref="Zip"/> axes taken together (one value of each per point), times
/// <see cref="Seeds"/> seeds: N = Π|grid axis| · |zip| · seeds.
/// </summary>
public sealed record SweepFile
{
    /// <summary>What each run is: <c>train</c> (a train config) or <c>study</c> (a study's preset).</summary>
    public required string Command { get; init; }

    /// <summary>train: the base train config, relative to the sweep file.</summary>
    public string? Config { get; init; }

    /// <summary>study: the study's name (tangent study --list).</summary>
    public string? Study { get; init; }

    /// <summary>study: the preset the runs start from (quick or full).</summary>
    public string? Preset { get; init; }

    /// <summary>Fixed overrides applied to the base before the axes: an object of config keys (dots for nesting) and
    /// values.</summary>
    public JsonElement? Set { get; init; }

    /// <summary>Grid axes: an object of config keys and lists of values; every combination is a run.</summary>
    public JsonElement? Grid { get; init; }

    /// <summary>Zipped axes: an object of config keys and lists of equal length, varied together.</summary>
    public JsonElement? Zip { get; init; }

    /// <summary>Seeds per point: the seed key takes base + 0, …, base + seeds − 1.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>The config key the seeds set.</summary>
    public string SeedKey { get; init; } = "seed";
}
