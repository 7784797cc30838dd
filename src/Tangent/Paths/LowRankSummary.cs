namespace Tangent.Paths;

/// <summary>
/// How a factored analysis approximated its kernels, and what the approximation certifies (summary.json and the
/// report name it).
/// </summary>
/// <param name="Source">"nystrom" (recorded from landmarks, never forming K) or "truncation" (top-r eigenpairs of
/// recorded dense kernels).</param>
/// <param name="Rank">The largest rank r of a snapshot in the window.</param>
/// <param name="SubspaceDimension">R, the dimension of the common subspace of the window's kernels.</param>
/// <param name="KernelThreshold">λ⋆_K: the kernel eigenvalue that relaxes by e⁻¹ over the window (see
/// <see cref="FactoredOperators.KernelThreshold"/>).</param>
/// <param name="MaxErrorBound">max over snapshots of the certified bound on ‖K − K̃_r‖₂.</param>
/// <param name="MaxRelativeErrorBound">max over snapshots of that bound over λ̃₁.</param>
/// <param name="MaxLastKept">max over snapshots of λ̃_r, the smallest kept eigenvalue.</param>
/// <param name="Uncaptured">Snapshots with λ̃_r &gt; λ⋆_K / 10: their kept rank stops above the channel's
/// edge.</param>
/// <param name="RankNeeded">The largest rank any snapshot needs to reach λ⋆_K / 10 among its computed eigenvalues
/// (null: some snapshot needs more than it computed).</param>
/// <param name="SnapshotDirections">Σ_τ r_τ, the snapshot directions the common subspace was built from.</param>
/// <param name="FlowCutoff">The flow cutoff the common subspace was compressed with (0: uncompressed; see
/// <see cref="FactoredOperators.FlowBasis"/>).</param>
/// <param name="DiscardedFlow">φ_{R+1}, the largest flow left out of the common subspace, in e-folds over the
/// window.</param>
public sealed record LowRankSummary(
    string Source,
    int Rank,
    long SubspaceDimension,
    double KernelThreshold,
    double MaxErrorBound,
    double MaxRelativeErrorBound,
    double MaxLastKept,
    int Uncaptured,
    int? RankNeeded,
    long SnapshotDirections = 0,
    double FlowCutoff = 0,
    double DiscardedFlow = 0
)
{
    /// <summary>Whether every snapshot's kept rank reaches an order of magnitude below λ⋆_K.</summary>
    public bool Captured => Uncaptured == 0;

    /// <summary>The certificate in one sentence.</summary>
    public string Text =>
        FormattableString.Invariant($"low-rank kernels ({Source}, rank {Rank}, common subspace {SubspaceDimension}")
        + (
            FlowCutoff > 0
                ? FormattableString.Invariant($" of {SnapshotDirections} directions, flow ≥ {FlowCutoff:G3}, ")
                    + FormattableString.Invariant($"largest left out {DiscardedFlow:G3}")
                : ""
        )
        + "): "
        + FormattableString.Invariant(
            $"‖K − K̃‖₂ ≤ {MaxErrorBound:G3} ({MaxRelativeErrorBound:P2} of λ̃₁) at every snapshot; "
        )
        + FormattableString.Invariant(
            $"λ̃_r ≤ {MaxLastKept:G3} against the window's kernel threshold λ⋆_K = {KernelThreshold:G3}: "
        )
        + (
            Captured ? "the channel is captured at every snapshot"
            : RankNeeded is { } k
                ? $"the channel is NOT captured at {Uncaptured} snapshot(s); rank {k} would capture it"
            : $"the channel is NOT captured at {Uncaptured} snapshot(s); more landmarks are needed"
        );
}
