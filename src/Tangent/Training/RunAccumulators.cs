using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>
/// Running accumulators of a training run that checkpoints must carry: the population-risk estimates of THEORY §5 and
/// the drift/diffusion sums of THEORY §4.
/// </summary>
public sealed class RunAccumulators : IDisposable
{
    /// <summary>R̂_t with the 1/(b − 1) self-influence correction.</summary>
    public double Risk { get; set; } = double.NaN;

    /// <summary>R̂_t with α = b/(n − b) in place of 1/(b − 1) (finite data set reused across epochs).</summary>
    public double RiskAlpha { get; set; } = double.NaN;

    /// <summary>Σ_t η_t p ⊙ ∇L_S(w_t): the full-batch (drift) part of the updates, flattened.</summary>
    public Tensor? Drift { get; set; }

    /// <summary>Σ_t η_t p ⊙ (ĝ_t − ∇L_S(w_t)): the fluctuation (diffusion) part.</summary>
    public Tensor? Diffusion { get; set; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Drift?.Dispose();
        Diffusion?.Dispose();
    }
}
