using Tangent.Commands;
using Tangent.Data;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Theory;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>Settings of the benign-overfitting study (kernel part); every number with its source.</summary>
public sealed record BenignOverfittingConfig
{
    /// <summary>Fashion-MNIST directory.</summary>
    public string Data { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>The two classes of the binary task (2 = pullover, 4 = coat: similar, so errors are common).</summary>
    public IReadOnlyList<int> Classes { get; init; } = [2, 4];

    /// <summary>Training sizes n (issue 7: 500 to 4,000).</summary>
    public IReadOnlyList<int> SampleSizes { get; init; } = [250, 500, 1000, 2000, 4000];

    /// <summary>Share of flipped training labels (issue 7: 20 % for the taxonomy).</summary>
    public double LabelNoise { get; init; } = 0.2;

    /// <summary>Held-out images.</summary>
    public int TestSamples { get; init; } = 1000;

    /// <summary>Draws per n.</summary>
    public int Seeds { get; init; } = 2;

    /// <summary>Ridge relative to tr(K)/n (near-ridgeless interpolation).</summary>
    public double RelativeRidge { get; init; } = 1e-8;

    /// <summary>Log–log slope of the noise cost over the largest sizes below which a kernel counts as benign (above
    /// its negative: catastrophic).</summary>
    public double SlopeTolerance { get; init; } = 0.2;

    /// <summary>The network part (null: kernels only).</summary>
    public BenignNetworkConfig? Networks { get; init; } = new();

    /// <summary>Seed.</summary>
    public long Seed { get; init; }
}
