namespace Tangent.Kernels.LowRank;

/// <summary>How <see cref="Nystrom.Compute"/> approximates a kernel snapshot and what it certifies.</summary>
public sealed record NystromOptions
{
    /// <summary>The rank r kept: the top-r eigenpairs of K̃.</summary>
    public int Rank { get; init; } = 100;

    /// <summary>Landmark samples m (null: min(n, 2r + 50)); every output of a landmark is a landmark row.</summary>
    public int? Landmarks { get; init; }

    /// <summary>Power iterations of the probe estimate of ‖K − K̃_r‖₂ with exact K·v products (0: no probes).</summary>
    public int Probes { get; init; } = 4;

    /// <summary>
    /// Refinements q with exact products (0: plain Nyström): a block Krylov space from the Nyström basis
    /// Z₀, {Z₀, K Z₀, …, K^{q−1} Z₀}, built with q exact block products (each costs about one
    /// dense kernel computation, streamed in tiles, never held), and Rayleigh–Ritz with the exact K on
    /// it; the kept pairs are then Ritz pairs of K, and with query inputs K̃_QS = K_QS V Vᵀ is exact on
    /// the kept directions. Memory O(N·q·m).
    /// </summary>
    public int Refinements { get; init; }

    /// <summary>Eigenvalues of the landmark block W below this share of its largest are dropped from W⁺.</summary>
    public double Cutoff { get; init; } = 1e-12;

    /// <summary>The channel threshold λ⋆ the rank is judged against (null: <see cref="RelativeThreshold"/>
    /// ·λ₁).</summary>
    public double? Threshold { get; init; }

    /// <summary>λ⋆ = τ·λ₁ when <see cref="Threshold"/> is null (τ = 0.01, as the studies' channel).</summary>
    public double RelativeThreshold { get; init; } = 0.01;

    /// <summary>The channel counts as captured when λ̃_r ≤ λ⋆ / this (10: an order of magnitude below the
    /// threshold).</summary>
    public double CaptureFactor { get; init; } = 10;

    /// <summary>Rows of the cross kernel K(x, x_L) computed at once.</summary>
    public int RowBlock { get; init; } = 512;

    /// <summary>Seed of the landmark draw and of the probes.</summary>
    public long Seed { get; init; }
}
