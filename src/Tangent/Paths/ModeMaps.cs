using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// One frozen segment of the momentum recurrence, mode by mode (<see cref="FactoredMomentum"/>): for every kernel
/// eigenvalue λ_i (batched), the map of z = (x, y, q) = (g_t, h_{t−1}, q_{t−1}) over the segment and its sums,
/// with the one-step map A(c) = [[1 − βbλ, −βa, 0], [bλ, a, 0], [b, 0, a]] (β = ηc/n), the rows
/// C_h = [bλ, a, 0] (h_t = C_h z) and C_q = [b, 0, a] (q_t = C_q z), and the loss forms
/// Q₁ = ηc·sym(e_xᵀ C_h), Q₂ = Q₁ − (η²c²/2n) C_hᵀ C_h (the decrease of step t is z_tᵀ Q₂ z_t).
/// </summary>
/// <param name="Propagator">Π_t A(c_t) [B, 3, 3].</param>
/// <param name="Gram1">Σ_t Φ_tᵀ Q₁(c_t) Φ_t [B, 3, 3], Φ_t the map up to step t.</param>
/// <param name="Gram2">Σ_t Φ_tᵀ Q₂(c_t) Φ_t [B, 3, 3].</param>
/// <param name="MotionSum">η Σ_t c_t C_h Φ_t [B, 1, 3]: the train motion −ΔU along each mode, summed
/// (accumulated, not telescoped from the propagator, which would cancel catastrophically when the motion is
/// tiny).</param>
/// <param name="QuerySum">η Σ_t c_t C_q Φ_t [B, 1, 3]: the query momentum's driven part, summed.</param>
/// <param name="QueryDecaySum">η Σ_t c_t a^{t−t₀+1}: what the query momentum the segment starts with
/// adds.</param>
/// <param name="Decay">a^k over the segment's k steps.</param>
/// <param name="Radius">The largest spectral radius of a mode's one-step map of (x, y) at c = 1.</param>
internal sealed record ModeMaps(
    Tensor Propagator,
    Tensor Gram1,
    Tensor Gram2,
    Tensor MotionSum,
    Tensor QuerySum,
    double QueryDecaySum,
    double Decay,
    double Radius
)
{
    /// <summary>The maps of steps [<paramref name="start"/>, <paramref name="end"/>) for eigenvalues
    /// <paramref name="lambda"/> [B] at learning rate η = <paramref name="lr"/> and n =
    /// <paramref name="samples"/>: bias-corrected steps (c_t ≠ 1) one at a time, the rest by repeated
    /// squaring.</summary>
    public static ModeMaps Of(Tensor lambda, double lr, long samples, MomentumModel momentum, long start, long end)
    {
        using var scope = NewDisposeScope();
        var f64 = ScalarType.Float64;
        double a = momentum.Coefficient,
            b = momentum.GradientWeight;
        long count = lambda.shape[0];
        var p = eye(3, dtype: f64).expand(count, 3, 3).contiguous();
        var gram1 = zeros(count, 3, 3, dtype: f64);
        var gram2 = zeros_like(gram1);
        var motionSum = zeros(count, 1, 3, dtype: f64);
        var querySum = zeros(count, 1, 3, dtype: f64);
        var ch = stack(new[] { lambda * b, full_like(lambda, a), zeros_like(lambda) }, 1).reshape(-1, 1, 3);
        var cq = tensor(new[] { b, 0, a }, dtype: f64).reshape(1, 3);
        double decaySum = 0,
            power = a; // a^{t−t₀+1}
        long t = start;
        for (; t < end && !momentum.ScaleIsOneFrom(t); t++)
        {
            using var step = NewDisposeScope();
            double lrc = lr * momentum.StepScale(t);
            var (one, q1, q2) = Step(lambda, lrc, samples, a, b);
            gram1.add_(p.mT.matmul(q1).matmul(p));
            gram2.add_(p.mT.matmul(q2).matmul(p));
            motionSum.add_(ch.matmul(p), lrc);
            querySum.add_(cq.matmul(p), lrc);
            decaySum += lrc * power;
            power *= a;
            p.copy_(one.matmul(p));
        }
        if (t < end)
        {
            long rest = end - t;
            var (one, q1, q2) = Step(lambda, lr, samples, a, b);
            var (pw, g1, g2, sum) = GeometricPowers.Of(one, q1, q2, rest);
            gram1.add_(p.mT.matmul(g1).matmul(p));
            gram2.add_(p.mT.matmul(g2).matmul(p));
            motionSum.add_(ch.matmul(sum).matmul(p), lr);
            querySum.add_(cq.matmul(sum).matmul(p), lr);
            decaySum += lr * power * (a == 1 ? rest : (1 - Math.Pow(a, rest)) / (1 - a));
            p.copy_(pw.matmul(p));
        }
        // The one-step map of (x, y) at c = 1 has trace τ = 1 − βbλ + a and determinant a.
        var trace = 1 + a - lambda * (lr * b / samples);
        var discriminant = trace.Squared() - 4 * a;
        var radius = where(
                discriminant.ge(0),
                (trace.abs() + discriminant.clamp_min(0).sqrt()) / 2,
                full_like(trace, Math.Sqrt(a))
            )
            .max()
            .item<double>();
        return new ModeMaps(
            p.MoveToOuterDisposeScope(),
            gram1.MoveToOuterDisposeScope(),
            gram2.MoveToOuterDisposeScope(),
            motionSum.MoveToOuterDisposeScope(),
            querySum.MoveToOuterDisposeScope(),
            decaySum,
            Math.Pow(a, end - start),
            radius
        );
    }

    /// <summary>A(c), Q₁(c), Q₂(c) for every mode, with ηc = <paramref name="lrc"/>.</summary>
    private static (Tensor A, Tensor Q1, Tensor Q2) Step(Tensor lambda, double lrc, long samples, double a, double b)
    {
        var zero = zeros_like(lambda);
        Tensor Fill(double v) => full_like(lambda, v);
        var bl = lambda * b;
        double beta = lrc / samples;
        var one = stack(new[] { 1 - bl * beta, Fill(-beta * a), zero, bl, Fill(a), zero, Fill(b), zero, Fill(a) }, 1)
            .reshape(-1, 3, 3);
        var ch = stack(new[] { bl, Fill(a), zero }, 1).reshape(-1, 1, 3);
        var q1 = stack(new[] { bl, Fill(a / 2), zero, Fill(a / 2), zero, zero, zero, zero, zero }, 1)
            .reshape(-1, 3, 3)
            .mul(lrc);
        var q2 = q1 - ch.mT.matmul(ch) * (lrc * lrc / (2.0 * samples));
        return (one, q1, q2);
    }
}
