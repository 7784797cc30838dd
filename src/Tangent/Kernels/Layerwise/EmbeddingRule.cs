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

    /// <summary>
    /// G_i puts δ_it into row x_it, so Σ_i G_i[v]² = Σ_i Σ_{t≤u} c_tu 1[x_it = x_iu = v] (δ_it ⊙ δ_iu):
    /// the pair products of equal tokens (<see cref="PositionPairs"/>) added into their token's row.
    /// </summary>
    public Tensor? StructuredSumOfSquares(LayerPlan layer, Captured captured)
    {
        if (IsLong(captured))
            return null;
        using var scope = NewDisposeScope();
        var (tokens, signals, pairs, same) = Pairs(layer, captured);
        using var owned = pairs;
        var weight = layer.Parameters.Single().Tensor;
        long dim = weight.shape[1];
        var squares = zeros(weight.shape, dtype: signals.dtype, device: signals.device);
        foreach (var (start, length) in pairs.Blocks(tokens.shape[0], dim))
        {
            using var block = NewDisposeScope();
            var values = EqualTokenProducts(pairs, signals, same, start, length).reshape(-1, dim); // [b·P, dim]
            var rows = PairTokens(tokens, pairs, start, length).reshape(-1, 1).expand(-1, dim);
            squares.scatter_add_(0, rows, values);
        }
        // The pairs' cross terms can be negative, so round-off may leave a vanishing entry just below 0.
        return squares.reshape(-1).AtLeast(0).MoveToOuterDisposeScope();
    }

    /// <summary>s_i = Σ_{t≤u} c_tu 1[x_it = x_iu] Σ_k w[x_it, k] δ_itk δ_iuk: the weights' rows gathered at the
    /// pairs' tokens.</summary>
    public Tensor? StructuredWeightedSquaredNorms(LayerPlan layer, Captured captured, Tensor? weights)
    {
        if (IsLong(captured))
            return null;
        using var scope = NewDisposeScope();
        var (tokens, signals, pairs, same) = Pairs(layer, captured);
        using var owned = pairs;
        var weight = layer.Parameters.Single().Tensor;
        long dim = weight.shape[1];
        var blocks = new List<Tensor>();
        foreach (var (start, length) in pairs.Blocks(tokens.shape[0], dim))
        {
            var products = EqualTokenProducts(pairs, signals, same, start, length); // [b, P, dim]
            if (weights is null)
            {
                blocks.Add(products.sum([1, 2]));
                continue;
            }
            var rows = PairTokens(tokens, pairs, start, length); // [b, P]
            var gathered = weights.reshape(weight.shape).index_select(0, rows.reshape(-1)).reshape(products.shape);
            blocks.Add((products * gathered).sum([1, 2]));
        }
        return cat(blocks, 0).AtLeast(0).MoveToOuterDisposeScope(); // round-off of the pairs' cross terms
    }

    /// <summary>c_tu 1[x_it = x_iu] (δ_it ⊙ δ_iu) for the samples [start, start + length): [b, P, dim].</summary>
    private static Tensor EqualTokenProducts(
        PositionPairs pairs,
        Tensor signals,
        Tensor same,
        long start,
        long length
    ) => pairs.WeightedProducts(signals.narrow(0, start, length)) * same.narrow(0, start, length).unsqueeze(2);

    /// <summary>x_it, the token of each pair's first position, for the samples [start, start + length): [b,
    /// P].</summary>
    private static Tensor PairTokens(Tensor tokens, PositionPairs pairs, long start, long length) =>
        tokens.narrow(0, start, length).index_select(1, pairs.Indices.First);

    /// <summary>More positions than the pair path takes (<see cref="PositionPairs.MaxPositions"/>).</summary>
    private static bool IsLong(Captured captured) =>
        captured.Input.numel() > captured.Input.shape[0] * PositionPairs.MaxPositions;

    /// <summary>Tokens [n, T] (Int64), signals [n, T, dim], the position pairs and 1[x_it = x_iu] per pair [n, P].
    /// The caller disposes the pairs.</summary>
    private static (Tensor Tokens, Tensor Signals, PositionPairs Pairs, Tensor Same) Pairs(
        LayerPlan layer,
        Captured captured
    )
    {
        long n = captured.Input.shape[0],
            dim = layer.Parameters.Single().Tensor.shape[1];
        var tokens = captured.Input.reshape(n, -1).to_type(ScalarType.Int64);
        var signals = captured.Signals[0].reshape(n, tokens.shape[1], dim);
        var pairs = new PositionPairs(tokens.shape[1], signals.dtype, signals.device);
        var same = tokens
            .index_select(1, pairs.Indices.First)
            .eq(tokens.index_select(1, pairs.Indices.Second))
            .to_type(signals.dtype);
        return (tokens, signals, pairs, same);
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
