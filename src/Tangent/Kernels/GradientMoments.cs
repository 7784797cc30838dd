using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// Mergeable first and second moments of per-example gradients g_i = ∇_θ ℓ_i of one parameter over a batch: count
/// b, sum Σ_i g_i and sum of squares Σ_i g_i² (elementwise, the parameter's shape).
/// </summary>
public sealed record GradientMoments(string Name, long Count, Tensor Sum, Tensor SumOfSquares) : IDisposable
{
    /// <summary>Batch mean ĝ = (1/b) Σ_i g_i.</summary>
    public Tensor Mean() => Sum.Over(Count);

    /// <summary>Per-coordinate batch variance v = (1/b) Σ_i (g_i − ĝ)² = (1/b) Σ_i g_i² − ĝ².</summary>
    public Tensor Variance()
    {
        using var scope = NewDisposeScope();
        var mean = Mean();
        return (SumOfSquares.Over(Count) - mean.Squared()).AtLeast(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ĝ² − v/(b − 1): an unbiased estimate of the squared population-mean gradient μ² when the b examples are
    /// drawn independently (THEORY §5); the subtracted term is the batch's self-influence.
    /// </summary>
    public Tensor UnbiasedSquaredMean()
    {
        if (Count < 2)
            throw new InvalidOperationException("the unbiased estimate needs a batch of at least 2 examples");
        using var scope = NewDisposeScope();
        return (Mean().Squared() - Variance().Over(Count - 1)).MoveToOuterDisposeScope();
    }

    /// <summary>Moments of the union of two disjoint batches.</summary>
    public GradientMoments Combine(GradientMoments other)
    {
        if (other.Name != Name)
            throw new ArgumentException($"cannot combine moments of '{Name}' and '{other.Name}'");
        return new GradientMoments(Name, Count + other.Count, Sum + other.Sum, SumOfSquares + other.SumOfSquares);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Sum.Dispose();
        SumOfSquares.Dispose();
    }
}
