using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Store;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>Settings of the reservoir-ablation study; every number with its source.</summary>
public sealed record ReservoirAblationConfig
{
    /// <summary>The task: a teacher regression with Gaussian label noise (recorded), so memorization can be
    /// measured.</summary>
    public TaskConfig Task { get; init; } =
        new()
        {
            Kind = "teacher",
            TrainSamples = 200,
            TestSamples = 500,
            Dimension = 10,
            Outputs = 1,
            TeacherWidth = 16,
            NoiseStd = 0.5,
        };

    /// <summary>The network (NTK parameterization, ReLU, He-scaled).</summary>
    public MlpConfig Model { get; init; } =
        new()
        {
            Widths = [10, 512, 1],
            WeightStd = Math.Sqrt(2),
            BiasStd = 0.1,
        };

    /// <summary>Gradient-descent learning rate on ½-MSE (stable for this kernel scale).</summary>
    public double Lr { get; init; } = 0.5;

    /// <summary>Steps T.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Steps between refreshes of the channel (the kernel is recomputed and re-split).</summary>
    public int RefreshEvery { get; init; } = 100;

    /// <summary>
    /// Channels of the current kernel to try: eigenvalues λ with ηλT/n ≥ c for each c (c = 1: the modes a frozen
    /// kernel would relax by e⁻¹ or more within the run, THEORY §2's λ⋆ = n/(ηT); larger c: smaller channels,
    /// more ablated).
    /// </summary>
    public IReadOnlyList<double> RelaxationThresholds { get; init; } = [1, 3, 10, 30, 100];

    /// <summary>Relative change of the final test MSE that still counts as "unchanged".</summary>
    public double TestTolerance { get; init; } = 0.10;

    /// <summary>
    /// The ablated run's absorbed noise, as a share of the unablated run's, below which ablation "removes"
    /// memorization: one half, the claim's own "halves it" (THEORY §8, the reservoir carries the memorized noise).
    /// </summary>
    public double MemorizationRatio { get; init; } = 0.5;

    /// <summary>Steps between logged rows.</summary>
    public int LogEvery { get; init; } = 20;

    /// <summary>Seed of data (seed) and initialization (seed + 1), shared by both runs.</summary>
    public long Seed { get; init; }
}
