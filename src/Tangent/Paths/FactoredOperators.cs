using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// The operators of THEORY §2 from factored snapshots K̃_τ = V_τ Λ_τ V_τᵀ, K̃_QS,τ = F_τ V_τᵀ
/// (½-MSE; momentum-free here, momentum-aware below), in O(N·R) memory. With U [N × R] an orthonormal basis of
/// span(V_s, …, V_T), every
/// kernel is K̃_τ = U K̂_τ Uᵀ with K̂_τ = Ṽ_τ Λ_τ Ṽ_τᵀ, Ṽ_τ = Uᵀ V_τ, and B = I/n commutes with
/// UUᵀ, so span U is invariant and its complement is left alone (K̃ = 0 there):
/// <list type="bullet">
/// <item>P(τ,s) = (I − UUᵀ) + U P̂ Uᵀ;</item>
/// <item>W_S = U Ŵ Uᵀ, W̃_S = U Ŵ_d Uᵀ, D = U D̂ Uᵀ;</item>
/// <item>G_Q = Ĝ Uᵀ with Ĝ = η Σ F_τ Ṽ_τᵀ P̂(τ,s);</item>
/// </list>
/// where P̂, Ŵ, Ŵ_d, D̂, Ĝ are <see cref="PathOperators"/> of the R-dimensional kernels K̂_τ, K̃_QS,τ U (exact
/// for the factored kernels: the factorization's only approximation is K ≈ K̃, certified per snapshot). Time
/// O(N·R·r) per segment for the projections plus O(R³) for the core. With a momentum model, the core is that of
/// <see cref="FactoredMomentum"/> and <see cref="Momentum"/> holds its momentum-start blocks.
/// </summary>
/// <param name="Basis">U [N × R], orthonormal columns.</param>
/// <param name="Core">The operators in U's coordinates: Gramian Ŵ, DiscreteGramian, Displacement D̂ and Propagator
/// P̂ [R × R]; Transfer Ĝ [M × R].</param>
/// <param name="KernelThreshold">λ⋆_K = n·c/(Σ_τ η_τ Δt_τ), c = p traced (the per-output kernel is K_tr/p)
/// and 1 full: the kernel eigenvalue whose mode relaxes by e⁻¹ over the window; a snapshot's channel is captured
/// when its λ̃_r ≤ λ⋆_K / 10.</param>
public sealed record FactoredOperators(Tensor Basis, PathOperators Core, double KernelThreshold) : IDisposable
{
    /// <summary>The default <see cref="FlowCutoff"/>: directions that relax by less than 1 % over the window
    /// (φ &lt; 0.01) are left out of the common subspace.</summary>
    public const double DefaultFlowCutoff = 0.01;

    /// <summary>Σ_τ r_τ: the snapshot directions the common subspace was built from (its dimension before
    /// compression is at most this and N).</summary>
    public long SnapshotDirections { get; init; }

    /// <summary>The flow cutoff φ_min the basis was compressed with (0: the whole span, uncompressed); see
    /// <see cref="FlowBasis"/>.</summary>
    public double FlowCutoff { get; init; }

    /// <summary>φ_{R+1}: the largest flow among the directions left out (0 when none was), in units of the
    /// threshold's flow; a direction left out would have relaxed by at most 1 − e^(−φ_{R+1}) over the
    /// window.</summary>
    public double DiscardedFlow { get; init; }

    /// <summary>Columns of a new basis direction below this norm, after orthogonalization against the basis, are
    /// already in its span (relative to the unit columns of V).</summary>
    public const double SpanTolerance = 1e-8;

    /// <summary>The capture factor of the certificates: λ̃_r must be an order of magnitude below the
    /// threshold.</summary>
    public const double CaptureFactor = 10;

    /// <summary>The momentum-start blocks when the operators model the optimizer's momentum (null: momentum-free,
    /// w ← w − ηMJᵀg).</summary>
    public FactoredMomentumStart? Momentum { get; init; }

    /// <summary>R, the dimension of the common subspace.</summary>
    public long Dimension => Basis.shape[1];

    /// <summary>Integrates the factored operators over <paramref name="window"/> (first = s, last = T), traced
    /// (per-output kernel K_tr/p with p = <paramref name="outputs"/>) or not; <paramref name="basis"/>, when given,
    /// must span every snapshot's V (e.g. the basis of a longer window); null: built here. Cancelled between
    /// segments.</summary>
    /// <param name="window">The snapshots s, …, T.</param>
    /// <param name="traced">Traced kernels (per-output kernel K_tr/p).</param>
    /// <param name="outputs">p.</param>
    /// <param name="basis">A basis to use (e.g. that of a longer window), or null to build one here.</param>
    /// <param name="cancel">Checked between segments.</param>
    /// <param name="flowCutoff">With no <paramref name="basis"/>: 0 keeps the whole span of the snapshots
    /// (<see cref="CommonBasis"/>, exact for the factored kernels); above 0, only the directions whose flow φ is at
    /// least this (<see cref="FlowBasis"/>).</param>
    /// <param name="momentum">The optimizer's momentum (null: momentum-free operators).</param>
    public static FactoredOperators Compute(
        IReadOnlyList<FactoredSnapshot> window,
        bool traced,
        int outputs,
        Tensor? basis = null,
        CancellationToken cancel = default,
        double flowCutoff = 0,
        MomentumModel? momentum = null
    )
    {
        if (window.Count < 2)
            throw new ArgumentException("a window needs at least two snapshots (its start and its end)");
        if (!(flowCutoff >= 0))
            throw new ArgumentOutOfRangeException(nameof(flowCutoff), "the flow cutoff must be ≥ 0");
        using var scope = NewDisposeScope();
        double discarded = 0;
        Tensor u;
        if (basis is not null)
            u = basis.alias();
        else if (flowCutoff > 0)
            (u, discarded) = FlowBasis(window, FlowWeights(window, traced, outputs, momentum), flowCutoff, cancel);
        else
            u = CommonBasis(window.Select(w => w.Vectors).ToList(), cancel);
        // Each snapshot's kernel in U's coordinates, K̂ = Ṽ Λ Ṽᵀ and K̃_QS U = F Ṽᵀ (Ṽ = Uᵀ V), made
        // when its segment needs it: R² floats at a time, not one per snapshot.
        (Tensor, Tensor) Projected(int k)
        {
            var snap = window[k];
            var vt = u.T.matmul(snap.Vectors);
            return ((vt * snap.Values).matmul(vt.T), snap.QueryFactor.matmul(vt.T));
        }
        long dimension = u.shape[1];
        PathOperators core;
        FactoredMomentumStart? start = null;
        if (momentum is null)
            core = PathOperators.Integrate(
                window.Select(w => (w.Step, w.LearningRate, w.Us)).ToList(),
                Projected,
                dimension,
                window[0].QueryFactor.shape[0],
                LossKind.HalfMse,
                traced,
                outputs,
                forceGeneral: false,
                cancel,
                prefix: null
            );
        else
            (core, start) = FactoredMomentum.Integrate(
                window.Select(w => (w.Step, w.LearningRate)).ToList(),
                Projected,
                dimension,
                window[0].QueryFactor.shape[0],
                window[0].Us.shape[0],
                traced,
                outputs,
                momentum,
                complement: dimension < u.shape[0],
                cancel
            );
        foreach (var t in new[] { core.Gramian, core.DiscreteGramian, core.Displacement, core.Transfer })
            t.MoveToOuterDisposeScope();
        core.Propagator.MoveToOuterDisposeScope();
        if (start is not null)
            foreach (var t in new[] { start.Displacement, start.Transfer, start.Gramian, start.DiscreteGramian })
                t.MoveToOuterDisposeScope();
        start?.ComplementGramian.MoveToOuterDisposeScope();
        start?.ComplementDiscreteGramian.MoveToOuterDisposeScope();
        double threshold = ThresholdOf(
            window.Select(w => w.Step).ToList(),
            window.Select(w => w.LearningRate).ToList(),
            window[0].Us.shape[0],
            traced,
            outputs,
            momentum
        );
        return new FactoredOperators(u.MoveToOuterDisposeScope(), core, threshold)
        {
            SnapshotDirections = window.Sum(w => (long)w.Rank),
            FlowCutoff = basis is null ? flowCutoff : 0,
            DiscardedFlow = discarded,
            Momentum = start,
        };
    }

    /// <summary>
    /// ω_τ: the trapezoid weights of the window's flow in units of the threshold's,
    /// ω_τ = (a_{τ−1} + a_τ)/(2·n·c) with a_τ = κ η_τ (t_{τ+1} − t_τ) the segment from snapshot τ
    /// (a = 0 outside the window), so that Σ_τ ω_τ λ⋆_K = 1 and φ(v) = Σ_τ ω_τ vᵀK̃_τ v is the
    /// number of e-folds a mode along v relaxes by over the window (½-MSE gradient flow); κ is the momentum's
    /// <see cref="MomentumModel.Gain"/> (1 without momentum).
    /// </summary>
    public static double[] FlowWeights(
        IReadOnlyList<FactoredSnapshot> window,
        bool traced,
        int outputs,
        MomentumModel? momentum = null
    )
    {
        long n = window[0].Us.shape[0];
        double unit = n * (traced ? outputs : 1) / (momentum?.Gain ?? 1);
        var a = new double[window.Count + 1]; // a[τ + 1] = η_τ Δt_τ, a[0] = a[T + 1] = 0
        for (int k = 0; k + 1 < window.Count; k++)
            a[k + 1] = window[k].LearningRate * (window[k + 1].Step - window[k].Step);
        return [.. Enumerable.Range(0, window.Count).Select(k => (a[k] + a[k + 1]) / (2 * unit))];
    }

    /// <summary>
    /// The common subspace compressed to the directions that carry flow: the eigenvectors of the
    /// time-integrated kernel F = Σ_τ ω_τ K̃_τ (<see cref="FlowWeights"/>) with eigenvalue
    /// φ ≥ <paramref name="cutoff"/>, and φ_{R+1}, the largest left out (0 if none). With
    /// B = [V_τ (ω_τ Λ_τ)^{1/2}]_τ, F = B Bᵀ: when Σ_τ r_τ ≤ N, from BᵀB = Z Φ Zᵀ as
    /// U = B Z Φ^{−1/2} (B never formed); otherwise in the coordinates of the
    /// <see cref="CommonBasis"/> U₀, from Ĉ Ĉᵀ (Ĉ = U₀ᵀ B) as U = U₀ Z. Re-orthonormalized by Cholesky QR.
    /// Every kept direction relaxes by at least 1 − e^(−cutoff) over the window.
    /// </summary>
    public static (Tensor Basis, double Discarded) FlowBasis(
        IReadOnlyList<FactoredSnapshot> window,
        IReadOnlyList<double> weights,
        double cutoff,
        CancellationToken cancel = default
    )
    {
        using var scope = NewDisposeScope();
        long rows = window[0].Vectors.shape[0];
        long directions = window.Sum(w => w.Vectors.shape[1]);
        var scales = window
            .Select((w, k) => (w.Values.to_type(ScalarType.Float64).clamp_min(0) * weights[k]).sqrt())
            .ToList();
        var offsets = new long[window.Count + 1];
        for (int k = 0; k < window.Count; k++)
            offsets[k + 1] = offsets[k] + window[k].Vectors.shape[1];
        Tensor gram;
        Tensor? common = null;
        if (directions <= rows)
        {
            gram = empty(directions, directions, dtype: ScalarType.Float64);
            for (int k = 0; k < window.Count; k++)
            for (int l = k; l < window.Count; l++)
            {
                cancel.ThrowIfCancellationRequested();
                using var inner = NewDisposeScope();
                var block = window[k].Vectors.T.matmul(window[l].Vectors) * scales[k].unsqueeze(1) * scales[l];
                gram.narrow(0, offsets[k], block.shape[0]).narrow(1, offsets[l], block.shape[1]).copy_(block);
                if (l != k)
                    gram.narrow(0, offsets[l], block.shape[1]).narrow(1, offsets[k], block.shape[0]).copy_(block.T);
            }
        }
        else
        {
            common = CommonBasis(window.Select(w => w.Vectors).ToList(), cancel);
            gram = zeros(common.shape[1], common.shape[1], dtype: ScalarType.Float64);
            for (int k = 0; k < window.Count; k++)
            {
                cancel.ThrowIfCancellationRequested();
                using var inner = NewDisposeScope();
                var c = common.T.matmul(window[k].Vectors) * scales[k];
                gram.add_(c.matmul(c.T));
            }
        }
        var (phi, z) = linalg.eigh((gram + gram.T) / 2);
        phi = phi.flip(0);
        z = z.flip(1);
        var keep = phi.ge(cutoff).nonzero().reshape(-1);
        if (keep.shape[0] == 0)
            throw new ArgumentException(
                FormattableString.Invariant($"no direction of the window carries flow ≥ {cutoff:G3} ")
                    + FormattableString.Invariant($"(the largest is {phi[0].item<double>():G3})")
            );
        long kept = keep.shape[0];
        double discarded = kept < phi.shape[0] ? Math.Max(0, phi[kept].item<double>()) : 0;
        var zk = z.narrow(1, 0, kept);
        Tensor u;
        if (common is null)
        {
            u = zeros(rows, kept, dtype: ScalarType.Float64);
            for (int k = 0; k < window.Count; k++)
            {
                using var inner = NewDisposeScope();
                var part = zk.narrow(0, offsets[k], window[k].Vectors.shape[1]) * scales[k].unsqueeze(1);
                u.add_(window[k].Vectors.matmul(part));
            }
            u.div_(phi.narrow(0, 0, kept).sqrt());
        }
        else
            u = common.matmul(zk);
        return (Orthonormalized(u).contiguous().MoveToOuterDisposeScope(), discarded);
    }

    /// <summary>λ⋆_K = n·c / (κ Σ_k η_k (t_{k+1} − t_k)) over snapshot steps t_k with learning rates η_k
    /// (c = p traced, 1 full; κ the momentum's <see cref="MomentumModel.Gain"/>, 1 without): see
    /// <see cref="KernelThreshold"/>.</summary>
    public static double ThresholdOf(
        IReadOnlyList<int> steps,
        IReadOnlyList<double> learningRates,
        long samples,
        bool traced,
        int outputs,
        MomentumModel? momentum = null
    )
    {
        double flow = 0;
        for (int k = 0; k + 1 < steps.Count; k++)
            flow += learningRates[k] * (steps[k + 1] - steps[k]);
        return samples * (traced ? outputs : 1) / Math.Max(flow * (momentum?.Gain ?? 1), 1e-300);
    }

    /// <summary>
    /// An orthonormal basis of span(V_1, …, V_k): each V_i orthogonalized against the basis so far twice (classical
    /// Gram–Schmidt with reorthogonalization), its new directions the left singular vectors of the remainder with
    /// singular values above <see cref="SpanTolerance"/>, projected off the basis once more and made orthonormal by
    /// Cholesky QR.
    /// </summary>
    public static Tensor CommonBasis(IReadOnlyList<Tensor> vectors, CancellationToken cancel = default)
    {
        using var scope = NewDisposeScope();
        long rows = vectors[0].shape[0];
        // Uᵀ, filled in place row block by row block (its leading rows are contiguous, so U is a view and nothing is
        // copied): growing U by concatenation would copy it once per snapshot.
        var basisT = empty(vectors.Sum(v => v.shape[1]), rows, dtype: ScalarType.Float64);
        long filled = 0;
        foreach (var v0 in vectors)
        {
            cancel.ThrowIfCancellationRequested();
            using var inner = NewDisposeScope();
            var v = v0.to_type(ScalarType.Float64);
            var u = basisT.narrow(0, 0, filled).T;
            var y = v;
            if (filled > 0)
                for (int pass = 0; pass < 2; pass++)
                    y = y - u.matmul(u.T.matmul(y));
            var (left, sigma, _) = linalg.svd(y, fullMatrices: false);
            var keep = sigma.gt(SpanTolerance).nonzero().reshape(-1);
            if (keep.shape[0] == 0)
                continue;
            var q = left.index_select(1, keep);
            if (filled > 0)
                q = q - u.matmul(u.T.matmul(q)); // what rounding left along U, amplified by 1/σ
            // Re-orthonormalized by Cholesky QR (q is already near-orthonormal, so QᵀQ is well conditioned); an
            // N × N Q from a complete QR would not fit at dataset scale.
            q = Orthonormalized(q);
            basisT.narrow(0, filled, q.shape[1]).copy_(q.T);
            filled += q.shape[1];
        }
        if (filled == 0)
            throw new ArgumentException("the snapshots span no direction (every V is empty)");
        return basisT.narrow(0, 0, filled).T.MoveToOuterDisposeScope();
    }

    /// <summary>Cholesky QR of near-orthonormal columns q: q L⁻ᵀ with L Lᵀ = qᵀq (QᵀQ is well conditioned
    /// here; a complete QR's N × N Q would not fit at dataset scale).</summary>
    private static Tensor Orthonormalized(Tensor q)
    {
        var l = linalg.cholesky(q.T.matmul(q));
        return linalg.solve_triangular(l, q.T, upper: false).T;
    }

    /// <summary>Uᵀ x: coordinates in the common subspace of columns x [N, c].</summary>
    public Tensor Project(Tensor x) => Basis.T.matmul(x);

    /// <summary>D x = U D̂ Uᵀ x.</summary>
    public Tensor Displace(Tensor x) => Basis.matmul(Core.Displacement.matmul(Project(x)));

    /// <summary>G_Q x = Ĝ Uᵀ x.</summary>
    public Tensor Transfer(Tensor x) => Core.Transfer.matmul(Project(x));

    /// <summary>The approximations of the factored operators, in words.</summary>
    public IReadOnlyList<string> Approximations(IReadOnlyList<FactoredSnapshot> window)
    {
        var list = Core.Approximations.Where(a => !a.Contains("per segment (eigendecomposition")).ToList();
        int rank = window.Max(w => w.Rank);
        list.Add(
            $"low-rank kernels (rank ≤ {rank} per snapshot; common subspace of dimension {Dimension}): the operators "
                + "act on the kept directions and leave their complement unmoved, so a direction outside them "
                + "has W_S = 0 and G_Q = 0 by construction, and the transfer of directions below λ̃_r is not "
                + "measured"
        );
        if (FlowCutoff > 0)
            list.Add(
                FormattableString.Invariant(
                    $"common subspace compressed to the {Dimension} directions (of {SnapshotDirections} snapshot "
                )
                    + FormattableString.Invariant(
                        $"directions) whose time-integrated kernel flow φ is at least {FlowCutoff:G3} e-folds; the "
                    )
                    + FormattableString.Invariant($"largest left out is φ = {DiscardedFlow:G3} (relaxes by at most ")
                    + FormattableString.Invariant($"{1 - Math.Exp(-DiscardedFlow):P2} over the window); kernel drift ")
                    + "and distances are measured within the kept subspace"
            );
        list.Add(
            Momentum is null
                ? "½-MSE closed form per segment (eigendecomposition of the projected kernel)"
                : "½-MSE per segment in the projected kernel's eigenmodes: 3 × 3 mode maps, steps with c_t ≠ 1 one "
                    + "at a time, the rest by repeated squaring"
        );
        return list;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Basis.Dispose();
        Core.Dispose();
        Momentum?.Dispose();
    }
}
