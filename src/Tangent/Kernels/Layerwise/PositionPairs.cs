using static TorchSharp.torch;

namespace Tangent.Kernels.Layerwise;

/// <summary>
/// The unordered position pairs t ≤ u of a layer shared by T positions, with multiplicity c_tu = 2 − 1[t = u]: a
/// per-example gradient G_i = Σ_t x_it ⊗ y_it has G_i² = Σ_{t,u} (x_it ⊙ x_iu) ⊗ (y_it ⊙ y_iu)
/// = Σ_{t≤u} c_tu (x_it ⊙ x_iu) ⊗ (y_it ⊙ y_iu), so sums of squares over examples become one product over the
/// n·T(T+1)/2 pair rows, never the n per-example gradients.
/// </summary>
internal sealed class PositionPairs : IDisposable
{
    /// <summary>Sequence inputs with at most this many positions take the pair path: its product has
    /// K = n·T(T+1)/2 rows, which beats squaring n per-example gradients (memory bound) while T stays small.</summary>
    public const long MaxPositions = 8;

    /// <summary>Pair-row elements (samples × pairs × features) formed at once; larger captures go in blocks of
    /// samples (2²⁴ elements: 128 MB in float64).</summary>
    public const long BlockElements = 1L << 24;

    private readonly Tensor _first,
        _second;

    /// <summary>The pairs of <paramref name="positions"/> positions, on <paramref name="device"/>; the multiplicities
    /// in <paramref name="dtype"/>.</summary>
    public PositionPairs(long positions, ScalarType dtype, Device device)
    {
        var first = new List<long>();
        var second = new List<long>();
        var multiplicity = new List<double>();
        for (long t = 0; t < positions; t++)
        for (long u = t; u < positions; u++)
        {
            first.Add(t);
            second.Add(u);
            multiplicity.Add(t == u ? 1 : 2);
        }
        _first = tensor(first.ToArray(), device: device);
        _second = tensor(second.ToArray(), device: device);
        Multiplicity = tensor(multiplicity.ToArray(), dtype: dtype, device: device);
    }

    /// <summary>c_tu per pair, [P].</summary>
    public Tensor Multiplicity { get; }

    /// <summary>x_it ⊙ x_iu for z = x of [n, T, f]: [n, P, f], pairs in order.</summary>
    public Tensor Products(Tensor z)
    {
        long positions = z.shape[1];
        using var scope = NewDisposeScope();
        var blocks = new List<Tensor>();
        for (long t = 0; t < positions; t++)
            blocks.Add(z.narrow(1, t, 1) * z.narrow(1, t, positions - t)); // pairs (t, u ≥ t), in order
        return cat(blocks, 1).MoveToOuterDisposeScope();
    }

    /// <summary>c_tu (x_it ⊙ x_iu): <see cref="Products"/> scaled by the multiplicities, [n, P, f].</summary>
    public Tensor WeightedProducts(Tensor z) => Products(z) * Multiplicity.view(1, -1, 1);

    /// <summary>The pairs' first and second positions as index tensors [P].</summary>
    public (Tensor First, Tensor Second) Indices => (_first, _second);

    /// <summary>Sample ranges [start, start + length) of at most <see cref="BlockElements"/> pair-row elements each,
    /// for <paramref name="samples"/> samples whose pair rows hold <paramref name="width"/> features in all.</summary>
    public IEnumerable<(long Start, long Length)> Blocks(long samples, long width)
    {
        long block = Math.Max(1, BlockElements / Math.Max(1, Count * width));
        for (long start = 0; start < samples; start += block)
            yield return (start, Math.Min(block, samples - start));
    }

    /// <summary>P, the number of pairs.</summary>
    public long Count => Multiplicity.shape[0];

    /// <inheritdoc/>
    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        Multiplicity.Dispose();
    }
}
