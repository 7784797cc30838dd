using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// A convolutional network on images [n, C, H, W] (<c>model.type: cnn</c>): widths [C, c_1, …, c_L, p] give L
/// blocks h ← pool(φ(conv_l(h))) of k × k convolutions with "same" zero padding (stride 1), a residual
/// h + φ(conv_l(h)) when <c>residual</c> is set and c_{l−1} = c_l (a small ResNet), 2 × 2 average or max pooling
/// while the image is at least 2 × 2, then global average pooling and a linear head to p outputs, times the output
/// scale. Standard
/// parameterization: W ~ N(0, σ_w²/fan_in) with fan_in = c_{l−1}k², b ~ N(0, σ_b²). State-dict keys
/// <c>conv1.weight</c>, <c>conv1.bias</c>, …, <c>head.weight</c>, <c>head.bias</c>. The eNTK rules cover every layer
/// (Conv2d and the linear head).
/// </summary>
public sealed class Cnn : nn.Module<Tensor, Tensor>
{
    private readonly List<Conv2d> _convolutions = [];
    private readonly ScaledLinear _head;
    private readonly nn.Module<Tensor, Tensor> _activation;
    private readonly MlpConfig _config;

    /// <summary>Builds and initializes the network from <paramref name="generator"/> (in float64, then cast to
    /// <paramref name="dtype"/>).</summary>
    public Cnn(MlpConfig config, Generator generator, ScalarType dtype = ScalarType.Float64)
        : base(nameof(Cnn))
    {
        config.Validate();
        _config = config;
        var w = config.Widths;
        using (no_grad())
            for (int l = 1; l + 1 < w.Count; l++)
            {
                var conv = nn.Conv2d(
                    w[l - 1],
                    w[l],
                    config.KernelSize,
                    padding: config.KernelSize / 2,
                    bias: config.Bias,
                    dtype: ScalarType.Float64
                );
                long fanIn = (long)w[l - 1] * config.KernelSize * config.KernelSize;
                conv.weight!.normal_(0, config.WeightStd / Math.Sqrt(fanIn), generator);
                if (conv.bias is { } b)
                {
                    if (config.BiasStd > 0)
                        b.normal_(0, config.BiasStd, generator);
                    else
                        b.zero_();
                }
                _convolutions.Add(conv);
                register_module($"conv{l}", conv);
            }
        _head = new ScaledLinear(w[^2], w[^1], config.Bias, 1.0, 1.0, ScalarType.Float64);
        _head.Initialize(config.WeightStd / Math.Sqrt(w[^2]), config.BiasStd, generator);
        register_module("head", _head);
        _activation = Elementwise.Of(config.Activation, config.LeakySlope);
        if (dtype != ScalarType.Float64)
            this.to(dtype);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        // No dispose scope of its own: the eNTK rules keep each layer's input, captured in this forward.
        var h = x;
        for (int l = 0; l < _convolutions.Count; l++)
        {
            var y = _activation.call(_convolutions[l].call(h));
            if (_config.Residual && h.shape[1] == y.shape[1])
                y = h.Plus(y);
            if (_config.Pool != "none" && y.shape[2] >= 2 && y.shape[3] >= 2)
                y = _config.Pool == "max" ? nn.functional.max_pool2d(y, 2) : nn.functional.avg_pool2d(y, 2);
            h = y;
        }
        var output = _head.call(h.mean([2, 3]));
        if (_config.OutputScale != 1.0)
            output = output.Times(_config.OutputScale);
        return output;
    }
}
