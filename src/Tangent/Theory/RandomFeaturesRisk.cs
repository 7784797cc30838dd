using System.Numerics;

namespace Tangent.Theory;

/// <summary>
/// The asymptotic test error of random-features ridge regression (Mei &amp; Montanari, CPAM 2022, Theorem 1): N
/// features σ(⟨θ_a, x⟩/√d), n samples, d → ∞ with ψ₁ = N/d, ψ₂ = n/d, ridge λ (objective (1/n)Σ(y
/// − f)² + (Nλ/d)‖a‖²), target with a linear part of norm F₁², a nonlinear part F*² and noise τ². With
/// μ₁ = E[Gσ(G)], μ*² = E[σ(G)²] − E[σ(G)]² − μ₁², ζ = μ₁/μ* and λ̄ = λ/μ*²: R = F₁² B +
/// (τ² + F*²) V + F*², where B = E₁/E₀ and V = E₂/E₀ are polynomials in χ = ν₁ν₂ evaluated at ξ =
/// i√(ψ₁ψ₂λ̄), and (ν₁, ν₂) solve ν₁ = ψ₁(−ξ − ν₂ − ζ²ν₂/(1 −
/// ζ²ν₁ν₂))⁻¹, ν₂ = ψ₂(−ξ − ν₁ − ζ²ν₁/(1 − ζ²ν₁ν₂))⁻¹.
/// </summary>
public static class RandomFeaturesRisk
{
    /// <summary>Gaussian moments (μ₁, μ*) of ReLU: μ₁ = 1/2, μ*² = 1/4 − 1/(2π).</summary>
    public static (double Mu1, double MuStar) ReluMoments => (0.5, Math.Sqrt(0.25 - 1 / (2 * Math.PI)));

    /// <summary>The asymptotic risk R(ψ₁, ψ₂, λ) for activation moments (μ₁, μ*) and target (F₁², F*²,
    /// τ²).</summary>
    public static double Risk(
        double psi1,
        double psi2,
        double lambda,
        double mu1,
        double muStar,
        double f1Squared,
        double fStarSquared,
        double tauSquared
    )
    {
        double zeta = mu1 / muStar,
            lambdaBar = lambda / (muStar * muStar);
        Complex chi = Chi(psi1, psi2, lambdaBar, zeta);
        double z2 = zeta * zeta,
            z4 = z2 * z2,
            z6 = z4 * z2;
        Complex c2 = chi * chi,
            c3 = c2 * chi,
            c4 = c3 * chi,
            c5 = c4 * chi;
        Complex e0 =
            -c5 * z6
            + 3 * c4 * z4
            + (psi1 * psi2 - psi2 - psi1 + 1) * c3 * z6
            - 2 * c3 * z4
            - 3 * c3 * z2
            + (psi1 + psi2 - 3 * psi1 * psi2 + 1) * c2 * z4
            + 2 * c2 * z2
            + c2
            + 3 * psi1 * psi2 * chi * z2
            - psi1 * psi2;
        Complex e1 = psi2 * c3 * z4 - psi2 * c2 * z2 + psi1 * psi2 * chi * z2 - psi1 * psi2;
        Complex e2 =
            c5 * z6
            - 3 * c4 * z4
            + (psi1 - 1) * c3 * z6
            + 2 * c3 * z4
            + 3 * c3 * z2
            + (-psi1 - 1) * c2 * z4
            - 2 * c2 * z2
            - c2;
        double b = (e1 / e0).Real,
            v = (e2 / e0).Real;
        return f1Squared * b + (tauSquared + fStarSquared) * v + fStarSquared;
    }

    /// <summary>χ = ν₁ν₂ at ξ = i√(ψ₁ψ₂λ̄), by damped fixed-point iteration from the upper
    /// half-plane.</summary>
    private static Complex Chi(double psi1, double psi2, double lambdaBar, double zeta)
    {
        var xi = new Complex(0, Math.Sqrt(psi1 * psi2 * Math.Max(lambdaBar, 1e-12)));
        double z2 = zeta * zeta;
        Complex nu1 = new(0, 1),
            nu2 = new(0, 1);
        for (int iter = 0; iter < 200_000; iter++)
        {
            Complex denominator = 1 - z2 * nu1 * nu2;
            Complex next1 = psi1 / (-xi - nu2 - z2 * nu2 / denominator);
            Complex next2 = psi2 / (-xi - nu1 - z2 * nu1 / denominator);
            Complex new1 = 0.5 * nu1 + 0.5 * next1,
                new2 = 0.5 * nu2 + 0.5 * next2;
            bool done =
                Complex.Abs(new1 - nu1) + Complex.Abs(new2 - nu2) < 1e-14 * (1 + Complex.Abs(nu1) + Complex.Abs(nu2));
            nu1 = new1;
            nu2 = new2;
            if (done)
                break;
        }
        return nu1 * nu2;
    }
}
