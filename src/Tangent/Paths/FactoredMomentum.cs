using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// The momentum-aware operators (THEORY §2, "Momentum") from factored kernels K̃_τ = U K̂_τ Uᵀ,
/// K̃_QS,τ = K̂_QS,τ Uᵀ under ½-MSE (B = I/n). In a segment's eigenbasis K̂ = E Λ Eᵀ the state (g, h) falls
/// apart into modes: along e_i, z = (x, y, q) = (g_t, h_{t−1}, q_{t−1}) obeys
/// <list type="bullet">
/// <item>h_t = bλ_i x + a y, x ← x − (η c_t/n) h_t;</item>
/// <item>q_t = b x + a q, with q = 0 at the segment's start, so that the query momentum is h^Q_t = a^{t−t₀+1}
/// h^Q_{t₀−1} + K̂_QS E q_t: an R-dimensional stand-in for the M-dimensional h^Q;</item>
/// </list>
/// and U's complement is the mode λ = 0. Per segment: one eigendecomposition of the R × R kernel, the 3 × 3 maps of
/// every mode at once (steps with c_t ≠ 1 one at a time, the rest by repeated squaring), and O(R²(R + M)) to carry
/// the window's maps of (ĝ, ĥ) and h^Q. D is accumulated as η Σ c_t h_t, not telescoped from n(g_T − g_s),
/// which cancels catastrophically when the motion is tiny.
/// </summary>
internal static class FactoredMomentum
{
    /// <summary>
    /// Integrates the window (points (step, η); first = s, last = T) whose projected kernels (K̂ [R × R],
    /// K̂_QS [M × R], unscaled) <paramref name="kernels"/> gives one segment at a time, with
    /// n = <paramref name="samples"/>. Returns the core operators on ĝ and the momentum-start blocks; with
    /// <paramref name="complement"/> false (U spans the whole output space) the mode λ = 0 is left out.
    /// </summary>
    public static (PathOperators Core, FactoredMomentumStart Start) Integrate(
        IReadOnlyList<(int Step, double LearningRate)> window,
        Func<int, (Tensor Kss, Tensor Kqs)> kernels,
        long dimension,
        long queryRows,
        long samples,
        bool traced,
        int outputs,
        MomentumModel momentum,
        bool complement,
        CancellationToken cancel
    )
    {
        using var scope = NewDisposeScope();
        var f64 = ScalarType.Float64;
        double a = momentum.Coefficient;
        double kernelScale = traced ? 1.0 / outputs : 1.0;
        long r = dimension;
        var identity = eye(r, dtype: f64);
        var zero = zeros(r, r, dtype: f64);
        // The maps from the window's start state ẑ = (ĝ_s, ĥ_s) [2R]: ĝ_t, ĥ_{t−1}, h^Q_{t−1} (plus α h_Q).
        var gMap = cat(new[] { identity, zero }, 1);
        var hMap = cat(new[] { zero, identity }, 1);
        var queryMap = zeros(queryRows, 2 * r, dtype: f64);
        double alpha = 1,
            gamma = 0;
        var w = zeros(2 * r, 2 * r, dtype: f64);
        var wd = zeros_like(w);
        var g = zeros(queryRows, 2 * r, dtype: f64);
        var d = zeros(r, 2 * r, dtype: f64);
        // The complement's mode: its (g⊥, h⊥) map and Gramians, 2 × 2.
        var perp = eye(2, dtype: f64);
        var wPerp = zeros(2, 2, dtype: f64);
        var wdPerp = zeros(2, 2, dtype: f64);
        var dPerp = zeros(1, 2, dtype: f64);
        double maxRadius = 0;
        int maxRadiusStep = window[0].Step;
        for (int k = 0; k + 1 < window.Count; k++)
        {
            cancel.ThrowIfCancellationRequested();
            using var segment = NewDisposeScope();
            var (start, lr) = window[k];
            var (kRaw, kqRaw) = kernels(k);
            var kernel = kRaw.to_type(f64) * kernelScale;
            var (lambda, e) = linalg.eigh((kernel + kernel.T) / 2);
            var modes = complement ? cat(new[] { lambda, zeros(1, dtype: f64) }, 0) : lambda; // last: U's complement
            var maps = ModeMaps.Of(modes, lr, samples, momentum, start, window[k + 1].Step);
            if (maps.Radius > maxRadius)
            {
                maxRadius = maps.Radius;
                maxRadiusStep = start;
            }
            var inside = TensorIndex.Slice(0, r);
            Tensor Entry(Tensor m, int i, int j) => m[inside, i, j].unsqueeze(1);
            var x = e.T.matmul(gMap);
            var y = e.T.matmul(hMap);
            void Accumulate(Tensor target, Tensor gram)
            {
                var xy = Entry(gram, 0, 1);
                target
                    .add_(x.T.matmul(Entry(gram, 0, 0) * x + xy * y))
                    .add_(y.T.matmul(xy * x + Entry(gram, 1, 1) * y));
            }
            Accumulate(w, maps.Gram1);
            Accumulate(wd, maps.Gram2);
            d.add_(e.matmul(Entry(maps.MotionSum, 0, 0) * x + Entry(maps.MotionSum, 0, 1) * y));
            var queryModes = (kqRaw.to_type(f64) * kernelScale).matmul(e); // K̂_QS E [M × R]
            g.add_(queryMap, maps.QueryDecaySum)
                .add_(queryModes.matmul(Entry(maps.QuerySum, 0, 0) * x + Entry(maps.QuerySum, 0, 1) * y));
            gamma += maps.QueryDecaySum * alpha;
            queryMap
                .mul_(maps.Decay)
                .add_(queryModes.matmul(Entry(maps.Propagator, 2, 0) * x + Entry(maps.Propagator, 2, 1) * y));
            alpha *= maps.Decay;
            gMap.copy_(e.matmul(Entry(maps.Propagator, 0, 0) * x + Entry(maps.Propagator, 0, 1) * y));
            hMap.copy_(e.matmul(Entry(maps.Propagator, 1, 0) * x + Entry(maps.Propagator, 1, 1) * y));
            if (complement)
            {
                var xy = TensorIndex.Slice(0, 2);
                wPerp.add_(perp.T.matmul(maps.Gram1[r, xy, xy]).matmul(perp));
                wdPerp.add_(perp.T.matmul(maps.Gram2[r, xy, xy]).matmul(perp));
                dPerp.add_(maps.MotionSum[r, TensorIndex.Slice(0, 1), xy].matmul(perp));
                perp.copy_(maps.Propagator[r, xy, xy].matmul(perp));
            }
            if (!gMap.isfinite().all().item<bool>() || !w.isfinite().all().item<bool>())
                throw new InvalidOperationException(
                    $"the momentum-aware path operators overflowed in the segment starting at step {start} "
                        + $"({window[k + 1].Step - start} steps): the one-step propagator of (g, h) has spectral "
                        + $"radius {maps.Radius:G3} > 1, so the linearized dynamics with momentum diverge there; "
                        + "analyze a shorter window or record snapshots more densely"
                );
        }
        var gBlock = TensorIndex.Slice(0, r);
        var hBlock = TensorIndex.Slice(r, 2 * r);
        var wSym = (w + w.T) / 2;
        var wdSym = (wd + wd.T) / 2;
        var core = new PathOperators(
            wSym[gBlock, gBlock].contiguous().MoveToOuterDisposeScope(),
            wdSym[gBlock, gBlock].contiguous().MoveToOuterDisposeScope(),
            d[TensorIndex.Colon, gBlock].contiguous().MoveToOuterDisposeScope(),
            g[TensorIndex.Colon, gBlock].contiguous().MoveToOuterDisposeScope(),
            gMap[TensorIndex.Colon, gBlock].contiguous().MoveToOuterDisposeScope(),
            window[0].Step,
            window[^1].Step,
            window.Count - 1,
            Approximations(momentum, traced)
        )
        {
            MaxRadius = maxRadius,
            MaxRadiusStep = maxRadiusStep,
        };
        var start0 = new FactoredMomentumStart(
            momentum,
            d[TensorIndex.Colon, hBlock].contiguous().MoveToOuterDisposeScope(),
            g[TensorIndex.Colon, hBlock].contiguous().MoveToOuterDisposeScope(),
            gamma,
            wSym.MoveToOuterDisposeScope(),
            wdSym.MoveToOuterDisposeScope(),
            dPerp[0, 1].item<double>(),
            ((wPerp + wPerp.T) / 2).MoveToOuterDisposeScope(),
            ((wdPerp + wdPerp.T) / 2).MoveToOuterDisposeScope()
        );
        return (core, start0);
    }

    private static List<string> Approximations(MomentumModel momentum, bool traced)
    {
        var list = new List<string>
        {
            "kernel and preconditioner held frozen between snapshots",
            $"{momentum.Kind} momentum in output space: h_t = {momentum.Coefficient:G4}·h_{{t−1}} + "
                + $"{momentum.GradientWeight:G4}·K g_t, ΔU = −η c_t h_t "
                + (momentum.BiasCorrection > 0 ? "(c_t: Adam's bias correction)" : "(c_t = 1)"),
            "momentum outside the common subspace follows the kernel-free recurrence (the mode λ = 0)",
        };
        if (traced)
            list.Add(PathOperators.TracedApproximation);
        return list;
    }
}
