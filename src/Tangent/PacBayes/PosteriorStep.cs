namespace Tangent.PacBayes;

/// <summary>One row of the bound's optimization (<see cref="GaussianPosterior.Optimize"/>): the minibatch surrogate
/// ê_sur of that step's draw, KL(Q‖P), λ, and the objective ê_sur + √(C/2).</summary>
public sealed record PosteriorStep(int Index, double Surrogate, double Kl, double PriorVariance, double Objective);
