using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// The path operators of a momentum optimizer (THEORY §2, "Momentum"). Inside a frozen segment, with a, b, c_t of
/// <see cref="MomentumModel"/>, the augmented state z_t = (g_t, h_{t−1}, h^Q_{t−1}) obeys
/// <list type="bullet">
/// <item>h_t = a h_{t−1} + b K g_t, h^Q_t = a h^Q_{t−1} + b K_QS g_t;</item>
/// <item>ΔU_S,t = −η c_t h_t, ΔU_Q,t = −η c_t h^Q_t, g_{t+1} = g_t + B ΔU_S,t.</item>
/// </list>
/// With Φ(t,s) the propagator of z and C_S = [bK, aI, 0], C_Q = [bK_QS, 0, aI]: D̂ = η Σ_t c_t C_S Φ(t,s),
/// Ĝ = η Σ_t c_t C_Q Φ(t,s), Ŵ = Σ_t Φᵀ η c_t sym(E_gᵀ C_S) Φ and the discrete Ŵ̃ = Σ_t Φᵀ (η c_t
/// sym(E_gᵀ C_S) − ½η²c_t² C_Sᵀ B C_S) Φ, so that ΔU_S = −D̂ z_s, ΔU_Q = −Ĝ z_s and L(T) − L(s) =
/// −z_sᵀ Ŵ̃ z_s (exact for a quadratic loss and a frozen kernel). D, G_Q and W_S are their blocks on g(s); the h
/// blocks carry the momentum the window starts with. Steps whose bias correction differs from 1 are taken one at a
/// time; the rest by repeated squaring. For ½-MSE (B = I/n) <see cref="HalfMse"/> gives the same operators mode by
/// mode in each segment's kernel eigenbasis.
/// </summary>
internal static class MomentumOperators
{
    /// <summary>
    /// The ½-MSE operators through <see cref="FactoredMomentum"/> with U = I: per segment one N × N
    /// eigendecomposition and O(N²(N + M)) products, against the O((2N + M)³ log k) of the augmented propagator's
    /// repeated squaring in <see cref="Compute"/>; the blocks on h_Q are G_hQ = γI and zero Gramian rows.
    /// </summary>
    public static PathOperators HalfMse(
        IReadOnlyList<Snapshot> window,
        bool traced,
        int outputs,
        MomentumModel momentum,
        CancellationToken cancel
    )
    {
        using var scope = NewDisposeScope();
        long rows = window[0].Kss.shape[0];
        long queryRows = window[0].Kqs.shape[0];
        var (core, start) = FactoredMomentum.Integrate(
            window.Select(w => (w.Step, w.LearningRate)).ToList(),
            k => (window[k].Kss, window[k].Kqs),
            rows,
            queryRows,
            window[0].Us.shape[0],
            traced,
            outputs,
            momentum,
            complement: false,
            cancel
        );
        using var _ = start;
        var f64 = ScalarType.Float64;
        Tensor Augmented(Tensor gramian)
        {
            var full = zeros(2 * rows + queryRows, 2 * rows + queryRows, dtype: f64);
            full.narrow(0, 0, 2 * rows).narrow(1, 0, 2 * rows).copy_(gramian);
            return full.MoveToOuterDisposeScope();
        }
        var approximations = core.Approximations.Where(a => !a.StartsWith("momentum outside")).ToList();
        approximations.Insert(
            2,
            "½-MSE per segment in the kernel's eigenmodes: 3 × 3 mode maps, steps with "
                + "c_t ≠ 1 one at a time, the rest by repeated squaring"
        );
        return core with
        {
            Gramian = core.Gramian.MoveToOuterDisposeScope(),
            DiscreteGramian = core.DiscreteGramian.MoveToOuterDisposeScope(),
            Displacement = core.Displacement.MoveToOuterDisposeScope(),
            Transfer = core.Transfer.MoveToOuterDisposeScope(),
            Propagator = core.Propagator.MoveToOuterDisposeScope(),
            Approximations = approximations,
            Momentum = new MomentumStart(
                momentum,
                start.Displacement.alias().MoveToOuterDisposeScope(),
                start.Transfer.alias().MoveToOuterDisposeScope(),
                (eye(queryRows, dtype: f64) * start.QueryScale).MoveToOuterDisposeScope(),
                Augmented(start.Gramian),
                Augmented(start.DiscreteGramian)
            ),
        };
    }

    /// <summary>Integrates the window (first snapshot = s, last = T) under <paramref name="momentum"/>.</summary>
    public static PathOperators Compute(
        IReadOnlyList<Snapshot> window,
        LossKind loss,
        bool traced,
        int outputs,
        MomentumModel momentum,
        CancellationToken cancel
    )
    {
        using var scope = NewDisposeScope();
        double a = momentum.Coefficient,
            b = momentum.GradientWeight;
        double kernelScale = traced ? 1.0 / outputs : 1.0;
        long n = window[0].Us.shape[0];
        long rows = traced ? n : n * outputs;
        long queryRows = traced ? window[0].Uq.shape[0] : window[0].Uq.shape[0] * outputs;
        long m = 2 * rows + queryRows;
        var f64 = ScalarType.Float64;
        var d = zeros(new[] { rows, m }, dtype: f64);
        var g = zeros(new[] { queryRows, m }, dtype: f64);
        var w = zeros(new[] { m, m }, dtype: f64);
        var wd = zeros(new[] { m, m }, dtype: f64);
        var z = eye(m, dtype: f64);
        double maxRadius = 0;
        int maxRadiusStep = window[0].Step;
        var gBlock = TensorIndex.Slice(0, rows);
        for (int k = 0; k + 1 < window.Count; k++)
        {
            cancel.ThrowIfCancellationRequested();
            using var segmentScope = NewDisposeScope();
            var snap = window[k];
            long steps = window[k + 1].Step - snap.Step;
            double lr = snap.LearningRate;
            var kss = snap.Kss.to_type(f64) * kernelScale;
            var kqs = snap.Kqs.to_type(f64) * kernelScale;
            var hessian =
                loss == LossKind.HalfMse ? eye(rows, dtype: f64) / n : Losses.OutputHessian(loss, snap.Us).to_type(f64);
            double radius = Radius(kss, hessian, lr, a, b);
            if (radius > maxRadius)
            {
                maxRadius = radius;
                maxRadiusStep = snap.Step;
            }
            long t = snap.Step,
                end = snap.Step + steps;
            // One step at a time while the bias correction c_t differs from 1.
            for (; t < end && !momentum.ScaleIsOneFrom(t); t++)
            {
                // One scope per step: a segment can take hundreds of single steps, each with several m × m
                // temporaries; z is updated in place.
                using var stepScope = NewDisposeScope();
                double c = momentum.StepScale(t);
                var zg = z[gBlock];
                var zh = z[TensorIndex.Slice(rows, 2 * rows)];
                var zq = z[TensorIndex.Slice(2 * rows, m)];
                var h = kss.matmul(zg).Times(b).AddInPlace(zh, a); // C_S Φ
                var hq = kqs.matmul(zg).Times(b).AddInPlace(zq, a); // C_Q Φ
                double step = lr * c;
                d.AddInPlace(h, step);
                g.AddInPlace(hq, step);
                var cross = zg.T.matmul(h);
                var symmetric = cross.Plus(cross.T);
                w.AddInPlace(symmetric, step / 2);
                wd.AddInPlace(symmetric, step / 2).AddInPlace(h.T.matmul(hessian.matmul(h)), -0.5 * step * step);
                z.copy_(cat(new[] { zg - hessian.matmul(h).Times(step), h, hq }, 0));
            }
            if (t < end)
            {
                var (one, q1, q2, cs, cq) = Step(kss, kqs, hessian, lr, 1.0, a, b, rows, queryRows);
                var (power, gram1, gram2, sum) = GeometricPowers.Of(one, q1, q2, end - t);
                var sumZ = sum.matmul(z);
                d.AddInPlace(cs.matmul(sumZ), lr);
                g.AddInPlace(cq.matmul(sumZ), lr);
                w.AddInPlace(z.T.matmul(gram1).matmul(z));
                wd.AddInPlace(z.T.matmul(gram2).matmul(z));
                z.copy_(power.matmul(z));
            }
            if (!z.isfinite().all().item<bool>() || !w.isfinite().all().item<bool>())
                throw new InvalidOperationException(
                    $"the momentum-aware path operators overflowed in the segment starting at step {snap.Step} "
                        + $"({steps} steps): the one-step propagator of (g, h) has spectral radius {radius:G3} > 1, "
                        + "so the linearized dynamics with momentum diverge there; analyze a shorter window or "
                        + "record snapshots more densely"
                );
        }
        var approximations = new List<string>
        {
            "kernel, output Hessian and preconditioner held frozen between snapshots",
            $"{momentum.Kind} momentum in output space: h_t = {a:G4}·h_{{t−1}} + {b:G4}·K g_t, ΔU = −η c_t h_t "
                + (momentum.BiasCorrection > 0 ? "(c_t: Adam's bias correction)" : "(c_t = 1)"),
            "augmented (g, h, h_Q) propagators by repeated squaring; steps with c_t ≠ 1 one at a time",
        };
        if (traced)
            approximations.Add(PathOperators.TracedApproximation);
        var h1 = TensorIndex.Slice(rows, 2 * rows);
        var hq1 = TensorIndex.Slice(2 * rows, m);
        var wg = w[gBlock, gBlock];
        var wdg = wd[gBlock, gBlock];
        return new PathOperators(
            ((wg + wg.T) / 2).MoveToOuterDisposeScope(),
            ((wdg + wdg.T) / 2).MoveToOuterDisposeScope(),
            d[TensorIndex.Colon, gBlock].contiguous().MoveToOuterDisposeScope(),
            g[TensorIndex.Colon, gBlock].contiguous().MoveToOuterDisposeScope(),
            z[gBlock, gBlock].contiguous().MoveToOuterDisposeScope(),
            window[0].Step,
            window[^1].Step,
            window.Count - 1,
            approximations
        )
        {
            MaxRadius = maxRadius,
            MaxRadiusStep = maxRadiusStep,
            Momentum = new MomentumStart(
                momentum,
                d[TensorIndex.Colon, h1].contiguous().MoveToOuterDisposeScope(),
                g[TensorIndex.Colon, h1].contiguous().MoveToOuterDisposeScope(),
                g[TensorIndex.Colon, hq1].contiguous().MoveToOuterDisposeScope(),
                ((w + w.T) / 2).MoveToOuterDisposeScope(),
                ((wd + wd.T) / 2).MoveToOuterDisposeScope()
            ),
        };
    }

    /// <summary>The one-step map A(c) of z = (g, h, h_Q), the loss forms Q₁ = ηc sym(E_gᵀC_S), Q₂ = Q₁ −
    /// ½η²c² C_SᵀBC_S, and C_S, C_Q.</summary>
    private static (Tensor A, Tensor Q1, Tensor Q2, Tensor Cs, Tensor Cq) Step(
        Tensor kss,
        Tensor kqs,
        Tensor hessian,
        double lr,
        double c,
        double a,
        double b,
        long rows,
        long queryRows
    )
    {
        var f64 = ScalarType.Float64;
        var identity = eye(rows, dtype: f64);
        var zeroSq = zeros(new[] { rows, queryRows }, dtype: f64);
        var cs = cat(new[] { b * kss, a * identity, zeroSq }, 1);
        var cq = cat(
            new[] { b * kqs, zeros(new[] { queryRows, rows }, dtype: f64), a * eye(queryRows, dtype: f64) },
            1
        );
        long m = 2 * rows + queryRows;
        var eg = cat(new[] { identity, zeros(new[] { rows, m - rows }, dtype: f64) }, 1);
        var gRow = eg - lr * c * hessian.matmul(cs);
        var one = cat(new[] { gRow, cs, cq }, 0);
        var cross = eg.T.matmul(cs);
        var q1 = lr * c * (cross + cross.T) / 2;
        var q2 = q1 - 0.5 * lr * lr * c * c * cs.T.matmul(hessian.matmul(cs));
        return (one, q1, q2, cs, cq);
    }

    /// <summary>Spectral radius of the one-step map of (g, h): [[I − ηbBK, −ηaB], [bK, aI]] (c = 1).</summary>
    private static double Radius(Tensor kss, Tensor hessian, double lr, double a, double b)
    {
        using var scope = NewDisposeScope();
        long rows = kss.shape[0];
        var identity = eye(rows, dtype: ScalarType.Float64);
        var top = cat(new[] { identity - lr * b * hessian.matmul(kss), -lr * a * hessian }, 1);
        var bottom = cat(new[] { b * kss, a * identity }, 1);
        return linalg.eigvals(cat(new[] { top, bottom }, 0)).abs().max().item<double>();
    }
}
