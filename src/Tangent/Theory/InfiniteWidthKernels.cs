using static TorchSharp.torch;

namespace Tangent.Theory;

/// <summary>The infinite-width NNGP and NTK of an MLP on two input sets (K[i, j] between row i of A and row j of
/// B).</summary>
public sealed record InfiniteWidthKernels(Tensor Nngp, Tensor Ntk) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Nngp.Dispose();
        Ntk.Dispose();
    }
}
