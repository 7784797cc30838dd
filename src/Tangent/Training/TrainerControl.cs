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

    /// <summary>
    /// Replaces the output-space gradient g = ∂Φ/∂U of each step (called with the step and g, before the update)
    /// by what is back-propagated instead: ∇_w ← J_Sᵀ g′. Reservoir ablation projects g on the signal channel.
    /// Null: the loss's own gradient.
    /// </summary>
    public Func<int, Tensor, Tensor>? OutputGradient { get; init; }

    /// <summary>
    /// A stop condition, checked at every step but the last, after the observers and before the update: true ends the
    /// run with the parameters of that step (e.g. "the training set is fitted"). Null: run every step.
    /// </summary>
    public Func<TrainingState, bool>? StopWhen { get; init; }

    /// <summary>
    /// The objective each step minimizes, replacing Φ(U_S) on the task's training set: a full-batch loss the model
    /// builds itself, e.g. a physics-informed loss from derivatives with respect to the inputs. The logged training
    /// loss and metric are its value; the test metrics still come from the task. Excludes
    /// <see cref="OutputGradient"/>, minibatches, the risk estimate and drift/diffusion (they need per-example
    /// outputs). Null: the config's loss.
    /// </summary>
    public Func<nn.Module<Tensor, Tensor>, Tensor>? Objective { get; init; }

    /// <summary>The option or key a divergence message tells the user to lower (a command's own name for η).</summary>
    public string LearningRateField { get; init; } = "optimizer.lr";
}
