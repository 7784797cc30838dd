using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Kernels.Layerwise;

/// <summary>
/// Conv1d and Conv2d (groups 1, zero padding): with patches U = unfold(x) [C·k, L] and signals δ [out, L], the
/// per-example weight gradient is Σ_pos δ_pos ⊗ u_pos = δ Uᵀ — the spatial sum over output positions is taken
/// inside each example before any contraction, so K = Σ_{pos,pos′} (δ_pos·δ′_pos′)(u_pos·u′_pos′)
/// exactly.
/// </summary>
internal sealed class ConvolutionRule : ILayerRule
{
    public string? Unsupported(nn.Module module)
    {
        var (groups, mode, transposed, paddingType) = module switch
        {
            Conv2d c => (c.groups, c.padding_mode, c.transposed, c.padding_type),
            Conv1d c => (c.groups, c.padding_mode, c.transposed, c.padding_type),
            _ => (0L, PaddingModes.Zeros, false, (Padding?)null),
        };
        if (groups != 1)
            return $"groups = {groups}";
        if (mode != PaddingModes.Zeros)
            return $"padding mode {mode}";
        if (transposed)
            return "transposed convolution";
        if (paddingType is not null)
            return $"padding '{paddingType}'";
        return null;
    }

    public Tensor? StructuredKernel(LayerPlan layer, Captured a, Captured b, bool traced) => null;

    /// <inheritdoc/>
    public bool BroadcastsInputs => true;

    /// <summary>
    /// G_(i,c) = δ_(i,c) U_iᵀ (weight) and Σ_pos δ_(i,c) (bias): the patches U_i = unfold(x_i) of each of the b
    /// samples are unfolded once and shared by its k = R/b output rows, one batched product
    /// [b, k·out, L] × [b, L, C·kh·kw].
    /// </summary>
    public Tensor PerExampleGradients(LayerPlan layer, Tensor input, Tensor signals)
    {
        using var scope = NewDisposeScope();
        long samples = input.shape[0],
            rows = signals.shape[0];
        if (rows % samples != 0)
            throw new ArgumentException($"{rows} signal rows do not share {samples} inputs evenly");
        long outputs = signals.shape[1];
        var (k, dilation, padding, stride) = Geometry(layer.Module);
        var x = input.detach();
        if (layer.Module is Conv1d)
            x = x.unsqueeze(2); // [b, C, 1, L]
        var patches = nn.functional.unfold(x, k, dilation, padding, stride); // [b, C·kh·kw, L]
        var d = signals.reshape(samples, rows / samples * outputs, -1); // [b, k·out, L], rows i·k + c
        var parts = new List<Tensor>();
        foreach (var p in layer.Parameters)
            parts.Add(
                p.LocalName == "weight"
                    ? d.bmm(patches.transpose(1, 2)).reshape(rows, -1)
                    : d.sum(2).reshape(rows, outputs)
            );
        return cat(parts, 1).MoveToOuterDisposeScope();
    }

    private static ((long, long) Kernel, (long, long) Dilation, (long, long) Padding, (long, long) Stride) Geometry(
        nn.Module m
    ) =>
        m switch
        {
            Conv2d c => (
                (c.kernel_size[0], c.kernel_size[1]),
                (c.dilation[0], c.dilation[1]),
                (c.padding![0], c.padding[1]),
                (c.stride[0], c.stride[1])
            ),
            Conv1d c => ((1, c.kernel_size[0]), (1, c.dilation[0]), (0, c.padding![0]), (1, c.stride[0])),
            _ => throw new ArgumentException($"not a convolution: {m.GetType().Name}"),
        };
}
