using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>Settings of the memorization study; every number with its source.</summary>
public sealed record MemorizationConfig
{
    /// <summary>Fashion-MNIST directory (Debian's dataset-fashion-mnist by default).</summary>
    public string Data { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>Training images (issue 8: 1,000).</summary>
    public int TrainSamples { get; init; } = 1000;

    /// <summary>Held-out images.</summary>
    public int TestSamples { get; init; } = 1000;

    /// <summary>Hidden width of the MLP (784 → width → 10, ReLU, NTK parameterization).</summary>
    public int Width { get; init; } = 256;

    /// <summary>AdamW learning rate, full batch, cross-entropy.</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>Step budget to reach 100 % training accuracy.</summary>
    public int MaxSteps { get; init; } = 3000;

    /// <summary>(a) Shares of corrupted (uniformly random) labels (Zhang et al. 2017: 0 to 1).</summary>
    public IReadOnlyList<double> Corruptions { get; init; } = [0, 0.25, 0.5, 0.75, 1.0];

    /// <summary>(b) Share of labels flipped for the memorization scores (issue 8: 5 %).</summary>
    public double FlipShare { get; init; } = 0.05;

    /// <summary>(b) Models trained on random subsets for the Feldman–Zhang estimate.</summary>
    public int SubsetModels { get; init; } = 30;

    /// <summary>(b) Subset share (issue 8: 70 %).</summary>
    public double SubsetShare { get; init; } = 0.7;

    /// <summary>(b) Reservoir of the final kernel: eigenvalues below this share of λ_max.</summary>
    public double ReservoirThreshold { get; init; } = 0.01;

    /// <summary>(c) Minibatch sizes b of the drift/diffusion sweep (empty: skip).</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [8, 32, 128, 512];

    /// <summary>(c) SGD learning rate (small, so the run stays far from convergence and drift grows ∝ T).</summary>
    public double DriftLr { get; init; } = 0.01;

    /// <summary>(c) SGD steps.</summary>
    public int DriftSteps { get; init; } = 400;

    /// <summary>(c) Relative spread that still counts as "independent of b" / "as predicted".</summary>
    public double DriftTolerance { get; init; } = 0.25;

    /// <summary>Seed.</summary>
    public long Seed { get; init; }
}
