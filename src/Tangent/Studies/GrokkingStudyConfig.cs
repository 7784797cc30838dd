using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>Settings of the grokking study; the published setting is Gromov's (p = 97, 50 %, N = 500, AdamW lr 1e-2, wd
/// 5, β = (0.9, 0.98)).</summary>
public sealed record GrokkingStudyConfig
{
    /// <summary>Modulus p (quick: 23; full: 97, the published setting of Gromov 2023).</summary>
    public int Modulus { get; init; } = 23;

    /// <summary>Operation.</summary>
    public string Operation { get; init; } = "add";

    /// <summary>Training share (published: 0.5).</summary>
    public double TrainFraction { get; init; } = 0.5;

    /// <summary>Hidden width N (published: 500).</summary>
    public int Width { get; init; } = 256;

    /// <summary>Learning rate (published: 1e-2).</summary>
    public double Lr { get; init; } = 0.01;

    /// <summary>Decoupled weight decay (published: 5; 1 for cross-entropy in the quick preset).</summary>
    public double WeightDecay { get; init; } = 1.0;

    /// <summary>Adam β₂ (published: 0.98).</summary>
    public double Beta2 { get; init; } = 0.98;

    /// <summary>Steps.</summary>
    public int Steps { get; init; } = 1500;

    /// <summary>Kernel snapshots (log-spaced, output-traced).</summary>
    public int Snapshots { get; init; } = 30;

    /// <summary>Channel of the instantaneous kernel: eigenvalues ≥ τ·λ_max.</summary>
    public double ChannelThreshold { get; init; } = 0.01;

    /// <summary>Run SnrAdamW beside AdamW.</summary>
    public bool CompareSnr { get; init; } = true;

    /// <summary>
    /// Architectures (issue 8): "quadratic" — Gromov's 2p → N → p x² network without biases; "relu-embedding"
    /// — a shared token embedding of dimension <see cref="EmbeddingDim"/> for a and b, then a ReLU layer of width N
    /// (with biases) and a linear read-out.
    /// </summary>
    public IReadOnlyList<string> Architectures { get; init; } = ["quadratic", "relu-embedding"];

    /// <summary>Embedding dimension of the relu-embedding network.</summary>
    public int EmbeddingDim { get; init; } = 32;

    /// <summary>Loss: cross_entropy, or half_mse as in Gromov 2023 (accuracy is logged either way).</summary>
    public LossKind Loss { get; init; } = LossKind.CrossEntropy;

    /// <summary>Training pairs in the kernel snapshots (0: all; a random subset keeps p = 97's 4,704 pairs
    /// affordable).</summary>
    public int KernelSamples { get; init; }

    /// <summary>
    /// Initial std of both layers of the x² network (0: 1/√fan_in per layer). The full preset uses 0.5/(2N)^{1/3}
    /// (0.05 at N = 500), the initialization of the published setting's public code; the x² network's memorization and
    /// generalization steps depend on it.
    /// </summary>
    public double InitStd { get; init; }

    /// <summary>Seed.</summary>
    public long Seed { get; init; }
}
