using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// One-hidden-layer ReLU network in the NTK parameterization: <c>f(x) = a · relu(W x + b) / √N + c</c>, width N,
/// with W ~ N(0, σ_w²/d), b ~ N(0, σ_b²), a ~ N(0, 1) and c = 0 at initialization. The 1/√N output scale keeps
/// the kernel O(1) as N grows.
/// </summary>
public sealed class ScaledMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden;
    private readonly Linear readout;
    private readonly double scale;

    /// <summary>Builds the network; initialization draws from <paramref name="generator"/>.</summary>
    public ScaledMlp(
        int inputs,
        int width,
        int outputs,
        Generator generator,
        double weightStd = 1.0,
        double biasStd = 1.0,
        ScalarType dtype = ScalarType.Float64
    )
        : base(nameof(ScaledMlp))
    {
        Width = width;
        scale = 1.0 / Math.Sqrt(width);
        hidden = nn.Linear(inputs, width, dtype: dtype);
        readout = nn.Linear(width, outputs, dtype: dtype);
        using (no_grad())
        {
            hidden.weight!.normal_(0, weightStd / Math.Sqrt(inputs), generator);
            hidden.bias!.normal_(0, biasStd, generator);
            readout.weight!.normal_(0, 1, generator);
            readout.bias!.zero_();
        }
        RegisterComponents();
    }

    /// <summary>Hidden width N.</summary>
    public int Width { get; }

    /// <summary>The hidden layer (W, b).</summary>
    public Linear Hidden => hidden;

    /// <summary>The read-out layer (a, c).</summary>
    public Linear Readout => readout;

    /// <summary>f(x) = a · relu(W x + b) / √N + c.</summary>
    public override Tensor forward(Tensor x)
    {
        using var features = nn.functional.relu(hidden.call(x));
        using var scaled = features.Times(scale);
        return readout.call(scaled);
    }
}
