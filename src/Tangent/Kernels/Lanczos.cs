using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// Lanczos iteration with full reorthogonalization for the top-k eigenpairs of a symmetric operator given only by
/// products v ↦ A v (e.g. <see cref="NtkVectorProducts"/> for K_SS), in float64. Each Ritz pair (θ, y) comes with
/// its residual ‖A y − θ y‖, so the caller knows how far to trust it.
/// </summary>
public static class Lanczos
{
    /// <summary>
    /// Top-<paramref name="k"/> eigenpairs of the N×N operator <paramref name="apply"/>, from a Krylov space of
    /// <paramref name="iterations"/> dimensions (default min(N, 2k + 20)) started at a seeded random vector.
    /// </summary>
    public static RitzPairs TopEigenpairs(
        Func<Tensor, Tensor> apply,
        long dimension,
        int k,
        int? iterations = null,
        long seed = 0
    )
    {
        if (k < 1 || k > dimension)
            throw new ArgumentOutOfRangeException(nameof(k), $"k must be in [1, {dimension}]");
        int m = (int)Math.Min(dimension, iterations ?? 2 * k + 20);
        if (m < k)
            throw new ArgumentOutOfRangeException(nameof(iterations), "need at least k iterations");
        using var scope = NewDisposeScope();
        var basis = zeros(new[] { dimension, (long)m }, dtype: ScalarType.Float64);
        var alpha = new double[m];
        var beta = new double[m];
        var q = randn(new[] { dimension }, dtype: ScalarType.Float64, generator: Seeds.Generator(seed));
        q = q / q.norm();
        int used = m;
        for (int j = 0; j < m; j++)
        {
            using var step = NewDisposeScope();
            basis[TensorIndex.Colon, j] = q;
            var w = apply(q).to_type(ScalarType.Float64);
            alpha[j] = w.dot(q).item<double>();
            var vj = basis[TensorIndex.Colon, TensorIndex.Slice(0, j + 1)];
            // Full reorthogonalization, twice ("twice is enough").
            w = w - vj.matmul(vj.T.matmul(w));
            w = w - vj.matmul(vj.T.matmul(w));
            double b = w.norm().item<double>();
            if (j == m - 1)
                break;
            if (b < 1e-13 * Math.Max(1, Math.Abs(alpha[0])))
            {
                used = j + 1; // invariant subspace found: the Ritz values are exact
                break;
            }
            beta[j] = b;
            q = (w / b).MoveToOuterDisposeScope();
        }
        var t = zeros(new[] { (long)used, used }, dtype: ScalarType.Float64);
        for (int j = 0; j < used; j++)
        {
            t[j, j] = alpha[j];
            if (j + 1 < used)
            {
                t[j, j + 1] = beta[j];
                t[j + 1, j] = beta[j];
            }
        }
        var (theta, s) = linalg.eigh(t);
        int take = Math.Min(k, used);
        var order = arange(used - 1, used - 1 - take, -1, dtype: ScalarType.Int64);
        var values = theta.index_select(0, order);
        var vectors = basis[TensorIndex.Colon, TensorIndex.Slice(0, used)].matmul(s.index_select(1, order));
        var residuals = new double[take];
        for (int i = 0; i < take; i++)
        {
            using var r = NewDisposeScope();
            var y = vectors[TensorIndex.Colon, i];
            residuals[i] = (apply(y).to_type(ScalarType.Float64) - values[i] * y).norm().item<double>();
        }
        return new RitzPairs(values.MoveToOuterDisposeScope(), vectors.MoveToOuterDisposeScope(), residuals, used);
    }
}
