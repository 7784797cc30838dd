using Tangent.Commands;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Theory;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>Settings of the benign-overfitting study's network part; every number with its source.</summary>
public sealed record BenignNetworkConfig
{
    /// <summary>Label-noise levels (issue 7: 0, 10, 20, 40 %): share of changed labels; for the 1-D toy, the noise
    /// std.</summary>
    public IReadOnlyList<double> NoiseLevels { get; init; } = [0, 0.1, 0.2, 0.4];

    /// <summary>Training size of the noise sweeps (binary and ten-class).</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>Training sizes of the binary size sweep (issue 7: 500 to 4,000), at no noise and at
    /// <see cref="SweepNoise"/>.</summary>
    public IReadOnlyList<int> SampleSizes { get; init; } = [500, 1000, 2000, 4000];

    /// <summary>Noise level of the size sweep (the kernel part's 20 %).</summary>
    public double SweepNoise { get; init; } = 0.2;

    /// <summary>Run the ten-class task too.</summary>
    public bool TenClass { get; init; } = true;

    /// <summary>Noise levels of the ten-class task (empty: <see cref="NoiseLevels"/>).</summary>
    public IReadOnlyList<double> TenClassNoiseLevels { get; init; } = [];

    /// <summary>Held-out images per task.</summary>
    public int TestSamples { get; init; } = 1000;

    /// <summary>Average-pooling factor of the images (4: 7 × 7 = 49 inputs; fitting every label takes ∝ n steps of
    /// ∝ n·d·w work, so this keeps n = 4,000 affordable on 2 cores).</summary>
    public int Pool { get; init; } = 4;

    /// <summary>ZCA whitening floor of the images (task.whiten): decorrelated images give a well-conditioned kernel, so
    /// GD fits every label in ∝ n steps.</summary>
    public double Whiten { get; init; } = 1.0;

    /// <summary>Hidden width of the 49 → w → outputs ReLU network (NTK parameterization, He-scaled).</summary>
    public int Width { get; init; } = 256;

    /// <summary>
    /// The network of the Fashion-MNIST tasks (null: the 49 → <see cref="Width"/> → outputs ReLU MLP). A <c>cnn</c>
    /// takes the pooled images [n, 1, 28/pool, 28/pool] (so set <see cref="Whiten"/> to 0: ZCA mixes the pixels), an
    /// <c>mlp</c> the flattened pixels; the first width is set to the input's (channels or pixels) and the last to the
    /// task's outputs (1 binary, 10 ten-class). The 1-D toy keeps its MLP.
    /// </summary>
    public MlpConfig? Model { get; init; }

    /// <summary>
    /// Gradient-descent step on ½-MSE as a fraction of the initial kernel's stable step: η = lr_fraction ·
    /// n/λ_max(K_SS(w₀)). Below 1 keeps the linearized propagator contractive; a fixed η = 2 here catapults (η
    /// λ_max/n ≈ 5 at initialization) and the path operators overflow.
    /// </summary>
    public double LrFraction { get; init; } = 0.9;

    /// <summary>Steps per training sample: T = ⌈steps_per_sample · n⌉ (fitting the noise takes time ∝ n/λ_min;
    /// 6 reaches zero error at 40 % noise, n = 500).</summary>
    public double StepsPerSample { get; init; } = 6;

    /// <summary>Kernel snapshots per run (log-spaced, traced over outputs).</summary>
    public int Snapshots { get; init; } = 20;

    /// <summary>The 1-D toy: the demo's sine regression with this many points (noise std = the noise level).</summary>
    public int ToySamples { get; init; } = 30;

    /// <summary>Toy network width (1 → w → 1 ReLU, NTK parameterization).</summary>
    public int ToyWidth { get; init; } = 512;

    /// <summary>Toy step as a fraction of the stable step (as <see cref="LrFraction"/>).</summary>
    public double ToyLrFraction { get; init; } = 0.9;

    /// <summary>Toy steps.</summary>
    public int ToySteps { get; init; } = 50_000;

    /// <summary>Test-error increase (absolute) from no noise to <see cref="SweepNoise"/> that still counts as benign at
    /// fixed n.</summary>
    public double BenignExcess { get; init; } = 0.02;

    /// <summary>The reservoir's share of the noise's test effect ‖G_Q Π_res ε‖ / (‖G_Q Π_ch ε‖ + ‖G_Q
    /// Π_res ε‖) that counts as invisible.</summary>
    public double InvisibleShare { get; init; } = 0.1;

    /// <summary>Relative error within which kernel regression with the network's kernel matches eigenlearning (Simon et
    /// al. 2023).</summary>
    public double EigenlearningTolerance { get; init; } = 0.25;

    /// <summary>Bartlett et al.'s conditions count as met when k*/n and n/R_k* are both at most this.</summary>
    public double BartlettTolerance { get; init; } = 0.1;
}
