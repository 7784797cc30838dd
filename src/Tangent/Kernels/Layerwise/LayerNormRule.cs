using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Kernels.Layerwise;

/// <summary>
/// The affine parameters of LayerNorm, y = x̂ ⊙ γ + β with x̂ the normalized input: per-example gradients
/// ∂f/∂γ = Σ_pos δ ⊙ x̂ and ∂f/∂β = Σ_pos δ (x̂ is recomputed from the captured input).
/// </summary>
internal sealed class LayerNormRule : ILayerRule
{
    public string? Unsupported(nn.Module module) => null;

    public Tensor? StructuredKernel(LayerPlan layer, Captured a, Captured b, bool traced) => null;

    public Tensor PerExampleGradients(LayerPlan layer, Tensor input, Tensor signals)
    {
        using var scope = NewDisposeScope();
        var ln = (LayerNorm)layer.Module;
        long rows = input.shape[0];
        long features = ln.normalized_shape.Aggregate(1L, (x, y) => x * y);
        var normalized = nn
            .functional.layer_norm(input.detach(), ln.normalized_shape, null, null, ln.eps)
            .reshape(rows, -1, features);
        var d = signals.reshape(rows, -1, features);
        var parts = layer.Parameters.Select(p => p.LocalName == "weight" ? (d * normalized).sum(1) : d.sum(1)).ToList();
        return cat(parts, 1).MoveToOuterDisposeScope();
    }
}
