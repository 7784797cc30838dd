using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// k gradient steps with the kernel K and the output Hessian B held at their values at the start of a segment (THEORY
/// §2, "Between two kernel snapshots"). With A = I − ηBK the one-step propagator of the output gradient:
/// <list type="bullet">
/// <item><c>Propagator</c> = A^k</item>
/// <item><c>Gramian</c> = Σ_{j&lt;k} (A^j)ᵀ K A^j (the flow-form dissipation sum)</item>
/// <item><c>DiscreteGramian</c> = Σ_{j&lt;k} (A^j)ᵀ (K − ½η K B K) A^j (exact loss decrease of a quadratic
/// loss)</item>
/// <item><c>Sum</c> = Σ_{j&lt;k} A^j</item>
/// </list>
/// All in float64, exact for a frozen kernel; the snapshot spacing is the only approximation.
/// </summary>
public sealed record FrozenSegment(Tensor Propagator, Tensor Gramian, Tensor DiscreteGramian, Tensor Sum) : IDisposable
{
    /// <summary>Spectral radius of the one-step propagator A = I − ηBK: above 1 the linearized dynamics
    /// expand.</summary>
    public double Radius { get; init; }

    /// <summary>
    /// Closed form for ½-MSE (B = I/n, K symmetric): with K = VΛVᵀ and r_i = 1 − ηλ_i/n, A^k = V r^k Vᵀ,
    /// Gramian = V diag(λ (1 − r^{2k})/(1 − r²)) Vᵀ, Sum = V diag((1 − r^k)/(1 − r)) Vᵀ, DiscreteGramian
    /// = V diag((λ − ηλ²/(2n)) (1 − r^{2k})/(1 − r²)) Vᵀ; the limits λk and k where r = 1.
    /// </summary>
    public static FrozenSegment HalfMse(Tensor kernel, double lr, long samples, long steps)
    {
        using var scope = NewDisposeScope();
        var k = kernel.to_type(ScalarType.Float64);
        var (lambda, v) = linalg.eigh((k + k.T) / 2);
        var x = lambda * (lr / samples); // 1 − r
        var geometric = GeometricSum(x, steps); // Σ_{j<k} r^j
        var geometric2 = GeometricSum(x * (2 - x), steps); // Σ_{j<k} r^{2j}, since 1 − r² = x(2 − x)
        var rk = (1 - x).pow(steps);
        var vt = v.T;
        var propagator = (v * rk).matmul(vt);
        var gramian = (v * (lambda * geometric2)).matmul(vt);
        var discrete = (v * ((lambda - lambda.Squared() * (lr / (2.0 * samples))) * geometric2)).matmul(vt);
        var sum = (v * geometric).matmul(vt);
        return new FrozenSegment(
            propagator.MoveToOuterDisposeScope(),
            gramian.MoveToOuterDisposeScope(),
            discrete.MoveToOuterDisposeScope(),
            sum.MoveToOuterDisposeScope()
        )
        {
            Radius = (1 - x).abs().max().item<double>(),
        };
    }

    /// <summary>
    /// Any B (cross-entropy's softmax blocks, or ½-MSE as a check) by repeated squaring over the bits of k
    /// (<see cref="GeometricPowers"/>). O(n³ log k).
    /// </summary>
    public static FrozenSegment General(Tensor kernel, Tensor hessian, double lr, long steps)
    {
        using var scope = NewDisposeScope();
        var k = kernel.to_type(ScalarType.Float64);
        var b = hessian.to_type(ScalarType.Float64);
        long n = k.shape[0];
        var identity = eye(n, dtype: ScalarType.Float64);
        var a = identity - lr * b.matmul(k);
        double radius = linalg.eigvals(a).abs().max().item<double>();
        var kTilde = k - 0.5 * lr * k.matmul(b).matmul(k);
        var (power, gram, discrete, sum) = GeometricPowers.Of(a, k, kTilde, steps);
        return new FrozenSegment(
            power.MoveToOuterDisposeScope(),
            gram.MoveToOuterDisposeScope(),
            discrete.MoveToOuterDisposeScope(),
            sum.MoveToOuterDisposeScope()
        )
        {
            Radius = radius,
        };
    }

    /// <summary>Σ_{j&lt;k} (1 − x)^j = (1 − (1 − x)^k)/x, computed stably near x = 0 (limit k).</summary>
    internal static Tensor GeometricSum(Tensor x, long k)
    {
        using var scope = NewDisposeScope();
        var small = x.abs().lt(1e-250); // only x = 0 is singular: expm1/log1p keep full precision elsewhere
        var safeX = where(small, ones_like(x), x);
        // For 0 < 1 − x: 1 − (1 − x)^k = −expm1(k·log1p(−x)); otherwise use the power directly.
        var positive = (1 - safeX).gt(0);
        var viaLog = -torch.expm1(k * torch.log1p(-where(positive, safeX, zeros_like(x))));
        var direct = 1 - (1 - safeX).pow(k);
        var value = where(positive, viaLog, direct) / safeX;
        // Near x = 0: k − k(k−1)x/2 (second-order series).
        var series = k - k * (k - 1) / 2.0 * x;
        return where(small, series, value).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Propagator.Dispose();
        Gramian.Dispose();
        DiscreteGramian.Dispose();
        Sum.Dispose();
    }
}
