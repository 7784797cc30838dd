using static TorchSharp.torch;

namespace Tangent.Kernels.Layerwise;

/// <summary>
/// y_pos = W[t_pos]: the per-example gradient puts δ_pos into row t_pos of W, so <c>K[r, s] = Σ_{pos,pos′} 1[t_pos
/// = t′_pos′] (δ_pos · δ′_pos′)</c> — a signal Gram masked by token equality.
/// </summary>
internal sealed class EmbeddingRule : ILayerRule
{
    public string? Unsupported(nn.Module module) => null;

    public Tensor? StructuredKernel(LayerPlan layer, Captured a, Captured b, bool traced)
    {
        using var scope = NewDisposeScope();
        long na = a.Input.shape[0],
            nb = b.Input.shape[0],
            p = a.Signals.shape[0],
            dim = a.Signals.shape[^1];
        var ta = a.Input.reshape(na, -1); // [n, L] tokens
        var tb = b.Input.reshape(nb, -1);
        var da = a.Signals.reshape(p, na, ta.shape[1], dim); // [p, n, L, d]
        var db = b.Signals.reshape(p, nb, tb.shape[1], dim);
        Tensor? k = null;
        for (long l = 0; l < ta.shape[1]; l++)
        for (long m = 0; m < tb.shape[1]; m++)
        {
            var equal = ta[TensorIndex.Colon, l]
                .unsqueeze(1)
                .eq(tb[TensorIndex.Colon, m].unsqueeze(0))
                .to_type(a.Signals.dtype);
            var gram = LinearRule.SignalGram(
                da[TensorIndex.Colon, TensorIndex.Colon, l],
                db[TensorIndex.Colon, TensorIndex.Colon, m],
                traced
            );
            LinearRule.MultiplyBySampleMatrix(gram, equal, traced ? 1 : p);
            var term = gram;
            k = k is null ? term : k + term;
        }
        return k!.MoveToOuterDisposeScope();
    }

    public Tensor PerExampleGradients(LayerPlan layer, Tensor input, Tensor signals)
    {
        using var scope = NewDisposeScope();
        var weight = layer.Parameters.Single().Tensor;
        long rows = input.shape[0],
            vocab = weight.shape[0],
            dim = weight.shape[1];
        var tokens = input.reshape(rows, -1, 1).expand(-1, -1, dim).to_type(ScalarType.Int64);
        var d = signals.reshape(rows, -1, dim);
        var g = zeros(new[] { rows, vocab, dim }, dtype: signals.dtype, device: signals.device)
            .scatter_add_(1, tokens, d);
        return g.reshape(rows, -1).MoveToOuterDisposeScope();
    }
}
