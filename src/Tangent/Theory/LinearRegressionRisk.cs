namespace Tangent.Theory;

/// <summary>
/// Ridgeless (minimum-norm) least squares with isotropic Gaussian inputs x ∈ ℝᵈ, y = βᵀx + ε, ‖β‖² =
/// r², Var ε = σ² (Hastie, Montanari, Rosset &amp; Tibshirani 2022; Belkin, Hsu &amp; Xu 2020): the expected excess
/// risk E‖β̂ − β‖².
/// </summary>
public static class LinearRegressionRisk
{
    /// <summary>
    /// n &lt; d − 1: r²(1 − n/d) + σ² n/(d − n − 1); n &gt; d + 1: σ² d/(n − d − 1); +∞ at d − 1
    /// ≤ n ≤ d + 1.
    /// </summary>
    public static double RidgelessExcessRisk(int n, int d, double r2, double sigma2)
    {
        if (n < d - 1)
            return r2 * (1 - (double)n / d) + sigma2 * n / (d - n - 1);
        if (n > d + 1)
            return sigma2 * d / (n - d - 1);
        return double.PositiveInfinity;
    }
}
