using static TorchSharp.torch;

namespace Tangent.Kernels.LowRank;

/// <summary>
/// A kernel snapshot in factored form, K̃_r = V Λ Vᵀ with V [N × r] orthonormal and Λ the top-r eigenvalues
/// (descending), N = n (traced) or n·p (full output space, sample-major); O(N·r) memory.
/// </summary>
/// <param name="Values">λ̃_1 ≥ … ≥ λ̃_r [r], float64.</param>
/// <param name="Vectors">V [N × r], float64.</param>
/// <param name="NystromValues">Every eigenvalue of the full Nyström approximation (descending).</param>
/// <param name="Landmarks">The landmark samples (ascending indices into the inputs).</param>
/// <param name="Certificate">What was kept, certified.</param>
public sealed record LowRankKernel(
    Tensor Values,
    Tensor Vectors,
    double[] NystromValues,
    long[] Landmarks,
    KernelCertificate Certificate
) : IDisposable
{
    /// <summary>F [M × r] with K̃_QS = F Vᵀ, the cross kernel to query inputs on the kept directions (null: no
    /// query inputs were given).</summary>
    public Tensor? QueryFactor { get; init; }

    /// <summary>The rank r.</summary>
    public int Rank => (int)Values.shape[0];

    /// <summary>K̃_r v = V (Λ ⊙ (Vᵀ v)).</summary>
    public Tensor Apply(Tensor v)
    {
        using var scope = NewDisposeScope();
        var x = v.to_type(ScalarType.Float64);
        return Vectors.matmul(Values * Vectors.T.matmul(x)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Values.Dispose();
        Vectors.Dispose();
        QueryFactor?.Dispose();
    }
}
