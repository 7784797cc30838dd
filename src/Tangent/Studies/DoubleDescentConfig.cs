using Tangent.Commands;
using Tangent.Data;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Theory;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>Settings of the double-descent study; every number with its source.</summary>
public sealed record DoubleDescentConfig
{
    /// <summary>(a) Input dimension d of the sample-wise experiment (issue 7: d = 100).</summary>
    public int Dimension { get; init; } = 100;

    /// <summary>(a) Noise variance σ² (issue 7: 0.5).</summary>
    public double NoiseVariance { get; init; } = 0.5;

    /// <summary>(a) ‖β‖² (signal strength r²; normalized to 1).</summary>
    public double SignalNorm2 { get; init; } = 1.0;

    /// <summary>(a) Sample sizes n (issue 7: 10 to 400).</summary>
    public IReadOnlyList<int> SampleSizes { get; init; } =
    [10, 25, 50, 70, 85, 95, 100, 105, 115, 130, 160, 200, 300, 400];

    /// <summary>
    /// Shares of the label noise closer than this count as equal when the verdicts look for where the share first
    /// peaks. Shares are ratios of squared norms in float64, rounded at about 1e-15; 1e-6 keeps rounding (a share of
    /// 1.0000000000000002 against an exact 1.0) from deciding a verdict while any real difference still counts.
    /// </summary>
    public double ShareTolerance { get; init; } = 1e-6;

    /// <summary>(a) Monte-Carlo draws per n.</summary>
    public int Seeds { get; init; } = 30;

    /// <summary>(b) Fashion-MNIST directory (Debian's dataset-fashion-mnist by default).</summary>
    public string Data { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>(b) Training images n (issue 7: 1,000).</summary>
    public int TrainSamples { get; init; } = 1000;

    /// <summary>(b) Held-out images.</summary>
    public int TestSamples { get; init; } = 2000;

    /// <summary>(b) Random-feature counts N (issue 7: 100 to 10,000).</summary>
    public IReadOnlyList<int> Features { get; init; } =
    [100, 300, 600, 800, 900, 1000, 1100, 1250, 1500, 2000, 3000, 5000, 10000];

    /// <summary>(b) Share of training labels replaced by a random class (issue 7: 20 %).</summary>
    public double LabelNoise { get; init; } = 0.2;

    /// <summary>(b) Ridge relative to tr(K)/n: near-ridgeless, so the interpolation peak shows.</summary>
    public double RelativeRidge { get; init; } = 1e-8;

    /// <summary>(b) Gradient-descent steps T at η = n/λ_max for the W_S diagnostics (a finite training
    /// time).</summary>
    public int GdSteps { get; init; } = 100_000;

    /// <summary>(c) Hidden widths w of the two-layer network sweep (empty: skip); P = w(d + 2) + 1 parameters cross n
    /// at w ≈ n/(d + 2).</summary>
    public IReadOnlyList<int> NetworkWidths { get; init; } = [2, 4, 8, 12, 16, 18, 20, 22, 26, 32, 48, 96, 256];

    /// <summary>(c) Training images of the width sweep (binary task, one output, so the interpolation threshold is P =
    /// n).</summary>
    public int NetworkSamples { get; init; } = 1000;

    /// <summary>(c) The two classes of the width sweep (+1, −1).</summary>
    public IReadOnlyList<int> NetworkClasses { get; init; } = [2, 4];

    /// <summary>(c) Average-pooling factor (4: 7 × 7 = 49 inputs, so the threshold falls at a width of about
    /// n/51).</summary>
    public int NetworkPool { get; init; } = 4;

    /// <summary>(c) ZCA whitening floor of the images (as in benign-overfitting: a better-conditioned
    /// kernel).</summary>
    public double NetworkWhiten { get; init; } = 1.0;

    /// <summary>(c) Gradient-descent steps per width, at η = 0.9·n/λ_max(K_SS(w₀)).</summary>
    public int NetworkSteps { get; init; } = 6000;

    /// <summary>(c) Kernel snapshots per width (log-spaced).</summary>
    public int NetworkSnapshots { get; init; } = 15;

    /// <summary>Seed of data subsets, features and noise.</summary>
    public long Seed { get; init; }
}
