using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>How a run is driven: checkpoints, resumption, and (for tests) a simulated interruption.</summary>
public sealed record TrainerControl
{
    /// <summary>Run directory to checkpoint into (null: no checkpoints).</summary>
    public string? CheckpointRun { get; init; }

    /// <summary>Continue from the run's checkpoint.</summary>
    public bool Resume { get; init; }

    /// <summary>Throw <see cref="OperationCanceledException"/> when this step is reached, as an interrupt
    /// would.</summary>
    public int? InterruptAt { get; init; }
}
