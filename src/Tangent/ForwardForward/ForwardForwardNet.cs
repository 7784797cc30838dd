using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.ForwardForward;

/// <summary>
/// Hinton's (2022) Forward-Forward network: ReLU layers h_l = relu(W_l ĥ_{l−1} + b_l) on length-normalized inputs ĥ
/// = h/(‖h‖ + 10⁻⁴), the label written into the first C inputs of the image (one-hot times <see
/// cref="LabelValue"/>), and per layer the goodness G_l = mean_k h_lk². Each layer learns from its own objective (<see
/// cref="Loss"/>); no gradient crosses a layer. As a function for the eNTK, <see cref="forward"/> returns the C label
/// scores u_c(x) = Σ_l G_l(x with label c) the network predicts with (argmax), computed on the C embedded copies as
/// positions [n, C, d] so each sample's scores depend on that sample alone.
/// </summary>
public sealed class ForwardForwardNet : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> layers;

    /// <summary>Layers <paramref name="widths"/>[0] → … → widths[^1], He-normal weights (std √(2/fan-in)) and
    /// zero biases drawn from <paramref name="generator"/>, for <paramref name="classes"/> labels.</summary>
    public ForwardForwardNet(
        IReadOnlyList<int> widths,
        int classes,
        double labelValue,
        double threshold,
        Generator generator
    )
        : base(nameof(ForwardForwardNet))
    {
        if (widths.Count < 2 || widths[0] <= classes)
            throw new ArgumentException("needs an input wider than the label and at least one layer", nameof(widths));
        Classes = classes;
        LabelValue = labelValue;
        Threshold = threshold;
        var list = new List<Linear>();
        for (int l = 0; l + 1 < widths.Count; l++)
        {
            var layer = nn.Linear(widths[l], widths[l + 1], dtype: ScalarType.Float64);
            using (no_grad())
            {
                layer.weight!.copy_(
                    randn(widths[l + 1], widths[l], dtype: ScalarType.Float64, generator: generator)
                        * Math.Sqrt(2.0 / widths[l])
                );
                layer.bias!.zero_();
            }
            list.Add(layer);
        }
        layers = nn.ModuleList([.. list]);
        RegisterComponents();
    }

    /// <summary>C: the number of labels.</summary>
    public int Classes { get; }

    /// <summary>The value of the "on" input of the embedded label (Hinton: the images' largest value).</summary>
    public double LabelValue { get; }

    /// <summary>θ: the goodness a positive example should exceed and a negative one stay below.</summary>
    public double Threshold { get; }

    /// <summary>The image x [n, d] with its first C inputs replaced by one-hot(label)·<see cref="LabelValue"/>.
    /// </summary>
    public Tensor Embed(Tensor x, Tensor labels)
    {
        var label = nn.functional.one_hot(labels, Classes).to_type(x.dtype) * LabelValue;
        return cat([label, x[TensorIndex.Colon, TensorIndex.Slice(Classes, null)]], 1);
    }

    private static Tensor Normalize(Tensor h) => h / (h.norm(-1, keepdim: true) + 1e-4);

    /// <summary>
    /// The Forward-Forward objective Σ_l mean over the 2n examples of softplus(θ − G_l(x⁺)) and
    /// softplus(G_l(x⁻) − θ): x⁺ is the image with its training label, x⁻ with <paramref name="negative"/>
    /// labels; each layer's input is detached, so each layer's gradient comes from its own term only.
    /// </summary>
    public Tensor Loss(Tensor x, Tensor labels, Tensor negative)
    {
        Tensor hp = Embed(x, labels),
            hn = Embed(x, negative);
        Tensor total = zeros(1, dtype: x.dtype).squeeze();
        foreach (var layer in layers)
        {
            hp = nn.functional.relu(layer.call(Normalize(hp.detach())));
            hn = nn.functional.relu(layer.call(Normalize(hn.detach())));
            var gp = hp.square().mean([1]);
            var gn = hn.square().mean([1]);
            total = total + nn.functional.softplus(cat([Threshold - gp, gn - Threshold])).mean();
        }
        return total;
    }

    /// <summary>The label scores u_c(x) = Σ_l G_l(x with label c), [n, C].</summary>
    public override Tensor forward(Tensor x)
    {
        long n = x.shape[0];
        var label = eye(Classes, dtype: x.dtype).mul(LabelValue).unsqueeze(0).expand(n, Classes, Classes);
        var rest = x[TensorIndex.Colon, TensorIndex.Slice(Classes, null)].unsqueeze(1).expand(n, Classes, -1);
        Tensor h = cat([label, rest], 2);
        Tensor total = zeros(n, Classes, dtype: x.dtype);
        foreach (var layer in layers)
        {
            h = nn.functional.relu(layer.call(Normalize(h)));
            total = total + h.square().mean([2]);
        }
        return total;
    }
}
