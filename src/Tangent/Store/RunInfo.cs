using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tangent.Store;

/// <summary>Contents of <c>run.json</c>: what ran, with which inputs and software, and how it ended.</summary>
public sealed record RunInfo
{
    /// <summary>The command that made the run, e.g. <c>demo</c>.</summary>
    public required string Command { get; init; }

    /// <summary>The full, validated configuration.</summary>
    public required JsonElement Config { get; init; }

    /// <summary>SHA-256 of the canonical config JSON, to tell runs with identical inputs apart from others.</summary>
    public required string ConfigHash { get; init; }

    /// <summary>The random seed.</summary>
    public required long Seed { get; init; }

    /// <summary>Current state.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>Tangent version.</summary>
    public required string TangentVersion { get; init; }

    /// <summary>Git commit of the Tangent build, when known.</summary>
    public string? GitCommit { get; init; }

    /// <summary>TorchSharp version.</summary>
    public required string TorchSharpVersion { get; init; }

    /// <summary>LibTorch version.</summary>
    public required string LibTorchVersion { get; init; }

    /// <summary>LibTorch intra-op threads.</summary>
    public int Threads { get; init; }

    /// <summary>Host that ran it (with <see cref="Pid"/>, used to detect interrupted runs).</summary>
    public required string Host { get; init; }

    /// <summary>Process id that ran it.</summary>
    public int Pid { get; init; }

    /// <summary>Start time, UTC, ISO 8601.</summary>
    public required DateTimeOffset StartedUtc { get; init; }

    /// <summary>End time, UTC, when ended.</summary>
    public DateTimeOffset? FinishedUtc { get; init; }

    /// <summary>Wall time from start to end, seconds.</summary>
    public double? WallSeconds { get; init; }

    /// <summary>Why the run failed.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}
