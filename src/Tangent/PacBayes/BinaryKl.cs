namespace Tangent.PacBayes;

/// <summary>
/// The Bernoulli relative entropy kl(q‖p) = q ln(q/p) + (1 − q) ln((1 − q)/(1 − p)) and its upper inverse, the
/// form in which PAC-Bayes bounds on a 0–1 error are stated (Langford &amp; Seeger 2001; Maurer 2004).
/// </summary>
public static class BinaryKl
{
    /// <summary>kl(q‖p) for q ∈ [0, 1], p ∈ (0, 1); 0 ln 0 = 0, so kl(0‖p) = −ln(1 − p) and kl(1‖p) =
    /// −ln p.</summary>
    public static double Divergence(double q, double p)
    {
        if (q < 0 || q > 1 || !(p > 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"kl(q‖p) needs q in [0, 1] and p in (0, 1): {q}, {p}");
        double a = q > 0 ? q * Math.Log(q / p) : 0;
        double b = q < 1 ? (1 - q) * Math.Log((1 - q) / (1 - p)) : 0;
        return a + b;
    }

    /// <summary>
    /// kl⁻¹(q, c) = sup{p ∈ [q, 1] : kl(q‖p) ≤ c}: the largest true error consistent with an observed error q
    /// at complexity c. kl(q‖·) increases on [q, 1), so bisection to 2⁻⁶⁰ finds it; c ≤ 0 gives q, and the
    /// result is never below the exact value (the bisection keeps the upper end).
    /// </summary>
    public static double UpperInverse(double q, double c)
    {
        if (q < 0 || q > 1 || double.IsNaN(c))
            throw new ArgumentOutOfRangeException(nameof(q), $"kl⁻¹ needs q in [0, 1] and a number c: {q}, {c}");
        if (c <= 0 || q >= 1)
            return q;
        double lo = q,
            hi = 1;
        for (int i = 0; i < 200 && hi - lo > 1e-16; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid >= 1 || Divergence(q, mid) > c)
                hi = mid;
            else
                lo = mid;
        }
        return hi;
    }
}
