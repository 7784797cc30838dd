namespace Tangent.Theory;

/// <summary>Effective ranks of a covariance spectrum (Bartlett, Long, Lugosi &amp; Tsigler, PNAS 2020).</summary>
/// <param name="SmallR">r_k = Σ_{i&gt;k} λ_i / λ_{k+1}, k = 0 … N−1.</param>
/// <param name="LargeR">R_k = (Σ_{i&gt;k} λ_i)² / Σ_{i&gt;k} λ_i², k = 0 … N−1.</param>
/// <param name="KStar">k* = min{k : r_k ≥ b·n}, or −1 when no k qualifies.</param>
public sealed record EffectiveRanks(double[] SmallR, double[] LargeR, int KStar);
