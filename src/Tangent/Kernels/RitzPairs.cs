using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>Ritz pairs from <see cref="Lanczos.TopEigenpairs"/>: eigenvalues (descending), vectors as columns, residual
/// norms.</summary>
public sealed record RitzPairs(Tensor Values, Tensor Vectors, double[] Residuals, int Iterations) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Values.Dispose();
        Vectors.Dispose();
    }
}
