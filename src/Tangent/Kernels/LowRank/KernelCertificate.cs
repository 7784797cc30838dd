namespace Tangent.Kernels.LowRank;

/// <summary>
/// What a low-rank snapshot K̃_r = V_r Λ_r V_rᵀ kept of K, from quantities computed without forming K.
/// </summary>
/// <param name="TraceK">tr K = Σ_i K_ii, exact (per-example gradient norms).</param>
/// <param name="TraceNystrom">tr K̃ of the full Nyström approximation (all landmark directions).</param>
/// <param name="NextEigenvalue">λ̃_{r+1}, the largest Nyström eigenvalue dropped by the truncation to r (0 if
/// none).</param>
/// <param name="ErrorBound">
/// A rigorous bound ‖K − K̃_r‖₂ ≤ tr(K − K̃) + λ̃_{r+1}: the Nyström residual K − K̃ is positive semi-definite, so its
/// spectral norm is at most its trace; the truncation adds ‖K̃ − K̃_r‖₂ = λ̃_{r+1}. By Weyl, |λ_i − λ̃_i| ≤ it.
/// </param>
/// <param name="ProbeEstimate">‖(K − K̃_r) z‖ for the unit z after <see cref="ProbeIterations"/> power iterations with
/// exact K·v products: a lower bound on ‖K − K̃_r‖₂ (NaN without probes).</param>
/// <param name="ProbeIterations">Power iterations behind <see cref="ProbeEstimate"/>.</param>
/// <param name="Threshold">The channel threshold λ⋆ judged against.</param>
/// <param name="LastKept">λ̃_r, the smallest kept eigenvalue.</param>
/// <param name="Captured">λ̃_r ≤ λ⋆ / capture factor: the kept rank reaches below the channel.</param>
/// <param name="RankNeeded">The smallest rank whose λ̃ is at most λ⋆ / capture factor, among the Nyström eigenvalues;
/// null when even the last is above it (more landmarks are needed).</param>
/// <param name="ChannelDimension">Kept eigenvalues λ̃_i ≥ λ⋆.</param>
public sealed record KernelCertificate(
    double TraceK,
    double TraceNystrom,
    double NextEigenvalue,
    double ErrorBound,
    double ProbeEstimate,
    int ProbeIterations,
    double Threshold,
    double LastKept,
    bool Captured,
    int? RankNeeded,
    int ChannelDimension
)
{
    /// <summary>Exact-product refinements behind the kept pairs (0: plain Nyström). With refinements the kept pairs
    /// are Ritz pairs of K and <see cref="ErrorBound"/> is tr K − Σ_{i≤r} θ_i + <see cref="Residual"/>.
    /// </summary>
    public int Refinements { get; init; }

    /// <summary>‖K V_r − V_r Θ_r‖₂ of the refined pairs: every kept θ_i is within it of an eigenvalue of K
    /// (NaN without refinements).</summary>
    public double Residual { get; init; } = double.NaN;

    /// <summary>The certificate in one sentence, for reports and errors.</summary>
    public string Text(int rank, int landmarks) =>
        (
            Refinements > 0
                ? FormattableString.Invariant(
                    $"Nyström rank {rank} from {landmarks} landmarks refined by {Refinements} exact products: "
                )
                    + FormattableString.Invariant(
                        $"‖K − K̃‖₂ ≤ {ErrorBound:G3} (tr K − Σθ + Ritz residual {Residual:G3})"
                    )
                : FormattableString.Invariant($"Nyström rank {rank} from {landmarks} landmarks: ")
                    + FormattableString.Invariant($"‖K − K̃‖₂ ≤ {ErrorBound:G3} (tr(K − K̃) + λ̃_r+1)")
        )
        + (
            ProbeIterations > 0
                ? FormattableString.Invariant($", ≥ {ProbeEstimate:G3} by {ProbeIterations} probes")
                : ""
        )
        + FormattableString.Invariant($"; λ̃_r = {LastKept:G3} against λ⋆ = {Threshold:G3}: ")
        + (
            Captured ? "the channel is captured"
            : RankNeeded is { } k ? $"the channel is NOT captured; rank {k} would capture it"
            : $"the channel is NOT captured; more than {landmarks} landmarks are needed"
        );
}
