using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Theory;

/// <summary>
/// Infinite-width kernels of the <see cref="Mlp"/> of an <see cref="MlpConfig"/> (Neal 1996; Lee et al. 2018; Jacot et
/// al. 2018), per output (the full kernel is K ⊗ I_p), float64. With Σ¹(x, x′) = σ_w² x·x′/d + σ_b² and,
/// for every further layer, T, Ṫ the Gaussian moments of the activation under N(0, Σˡ):
/// <code>
/// Σˡ⁺¹ = σ_w² T + σ_b²,   NTK parameterization:  Θ¹ = Σ¹,  Θˡ⁺¹ = Σˡ⁺¹ + σ_w² Ṫ Θˡ
///                          standard:              Θ¹ = x·x′ + 1,  Θˡ⁺¹ = n_l T + 1 + σ_w² Ṫ Θˡ
/// </code>
/// (n_l the layer's fan-in; bias terms only when the model has biases); both kernels are multiplied by the output scale
/// squared. The standard parameterization's NTK grows with the widths, as the finite network's does.
/// </summary>
public static class InfiniteWidth
{
    /// <summary>Kernels between <paramref name="a"/> [N, d] and <paramref name="b"/> [M, d] (pass the same tensor for
    /// train/train).</summary>
    public static InfiniteWidthKernels Compute(
        MlpConfig config,
        Tensor a,
        Tensor b,
        int quadratureDegree = 64,
        long blockRows = 512
    )
    {
        config.Validate();
        using var scope = NewDisposeScope();
        var xa = a.to_type(ScalarType.Float64);
        var xb = b.to_type(ScalarType.Float64);
        var moments = ActivationMoments.For(config.Activation, config.LeakySlope, quadratureDegree);
        var varsA = DiagonalPass(config, xa, moments).Variances;
        var varsB = ReferenceEquals(a, b) ? varsA : DiagonalPass(config, xb, moments).Variances;
        long n = xa.shape[0];
        var nngp = empty(new[] { n, xb.shape[0] }, dtype: ScalarType.Float64);
        var ntk = empty_like(nngp);
        for (long s = 0; s < n; s += blockRows)
        {
            using var block = NewDisposeScope();
            long e = Math.Min(n, s + blockRows);
            var dot = xa[TensorIndex.Slice(s, e)].matmul(xb.T);
            var (k, t) = Layers(
                config,
                dot,
                moments,
                l => (varsA[l][TensorIndex.Slice(s, e)].unsqueeze(1), varsB[l].unsqueeze(0)),
                null
            );
            nngp[TensorIndex.Slice(s, e)] = k;
            ntk[TensorIndex.Slice(s, e)] = t;
        }
        SetIdenticalPairs(config, xa, xb, moments, nngp, ntk);
        return new InfiniteWidthKernels(nngp.MoveToOuterDisposeScope(), ntk.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// K(x, x′) for x = x′ from the diagonal recursion, where the correlation is exactly 1: the pair recursion gets
    /// it from a rounded x·x′/√(‖x‖²‖x′‖²), and arccos near 1 turns a rounding of 1e-16 into a
    /// relative error near 1e-8.
    /// </summary>
    private static void SetIdenticalPairs(
        MlpConfig config,
        Tensor xa,
        Tensor xb,
        IActivationMoments moments,
        Tensor nngp,
        Tensor ntk
    )
    {
        var pairs = IdenticalRows(xa, xb);
        if (pairs.Count == 0)
            return;
        using var scope = NewDisposeScope();
        var rows = tensor(pairs.Select(p => p.A).ToArray());
        var cols = tensor(pairs.Select(p => p.B).ToArray());
        var diagonal = DiagonalPass(config, xa.index_select(0, rows), moments);
        nngp.index_put_(diagonal.Nngp, rows, cols);
        ntk.index_put_(diagonal.Ntk, rows, cols);
    }

    /// <summary>Every pair (i, j) with row i of <paramref name="a"/> equal, element by element, to row j of
    /// <paramref name="b"/>.</summary>
    public static IReadOnlyList<(long A, long B)> IdenticalRows(Tensor a, Tensor b)
    {
        var byRow = new Dictionary<RowKey, List<long>>();
        foreach (var (key, i) in Rows(b))
            (byRow.TryGetValue(key, out var list) ? list : byRow[key] = []).Add(i);
        var pairs = new List<(long, long)>();
        foreach (var (key, i) in Rows(a))
            if (byRow.TryGetValue(key, out var matches))
                pairs.AddRange(matches.Select(j => (i, j)));
        return pairs;
    }

    private static IEnumerable<(RowKey Key, long Index)> Rows(Tensor x)
    {
        using var contiguous = x.to_type(ScalarType.Float64).contiguous();
        var data = contiguous.data<double>().ToArray();
        int d = (int)x.shape[1];
        for (long i = 0; i < x.shape[0]; i++)
            yield return (new RowKey(data, (int)i * d, d), i);
    }

    /// <summary>A row of a matrix as a dictionary key: equal when every element is bit-for-bit equal.</summary>
    private readonly record struct RowKey(double[] Data, int Start, int Length)
    {
        public bool Equals(RowKey other) =>
            Data.AsSpan(Start, Length).SequenceEqual(other.Data.AsSpan(other.Start, other.Length));

        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var v in Data.AsSpan(Start, Length))
                hash.Add(v);
            return hash.ToHashCode();
        }
    }

    /// <summary>The diagonals NNGP(x, x) and NTK(x, x) of <paramref name="x"/> [N, d], without the N×N
    /// matrices.</summary>
    public static InfiniteWidthKernels Diagonal(MlpConfig config, Tensor x, int quadratureDegree = 64)
    {
        config.Validate();
        using var scope = NewDisposeScope();
        var d = DiagonalPass(
            config,
            x.to_type(ScalarType.Float64),
            ActivationMoments.For(config.Activation, config.LeakySlope, quadratureDegree)
        );
        return new InfiniteWidthKernels(d.Nngp.MoveToOuterDisposeScope(), d.Ntk.MoveToOuterDisposeScope());
    }

    /// <summary>The recursion on the diagonal, collecting the pre-activation variances Σˡ(x, x) of every hidden
    /// layer.</summary>
    private static (List<Tensor> Variances, Tensor Nngp, Tensor Ntk) DiagonalPass(
        MlpConfig config,
        Tensor x,
        IActivationMoments moments
    )
    {
        var variances = new List<Tensor>();
        var (k, t) = Layers(config, x.Squared().sum(1), moments, null, variances);
        return (variances, k, t);
    }

    /// <summary>
    /// Runs the layer recursion from the input inner products <paramref name="dot"/>; on pairs,
    /// <paramref name="variances"/> gives the diagonal variances of both sides at each layer; on the diagonal, the
    /// variances are the covariances themselves and are collected into <paramref name="collect"/>.
    /// </summary>
    private static (Tensor Nngp, Tensor Ntk) Layers(
        MlpConfig config,
        Tensor dot,
        IActivationMoments moments,
        Func<int, (Tensor A, Tensor B)>? variances,
        List<Tensor>? collect
    )
    {
        double sw2 = config.WeightStd * config.WeightStd,
            sb2 = config.Bias ? config.BiasStd * config.BiasStd : 0;
        double biasNtk = config.Bias ? (config.Parameterization == Parameterization.Ntk ? sb2 : 1.0) : 0;
        int d = config.Widths[0];
        var sigma = sw2 * dot / d + sb2;
        var theta = config.Parameterization == Parameterization.Ntk ? sigma.clone() : dot + biasNtk;
        int linearLayers = config.Widths.Count - 1;
        for (int l = 1; l < linearLayers; l++)
        {
            collect?.Add(sigma.clone());
            var (va, vb) = variances is null ? (sigma, sigma) : variances(l - 1);
            var (t, tDot) = moments.Moments(va, vb, sigma);
            int fanIn = config.Widths[l];
            var next = sw2 * t + sb2;
            theta =
                config.Parameterization == Parameterization.Ntk
                    ? next + sw2 * tDot * theta
                    : fanIn * t + biasNtk + sw2 * tDot * theta;
            sigma = next;
        }
        double s2 = config.OutputScale * config.OutputScale;
        return ((sigma * s2), (theta * s2));
    }
}
