using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>A computed kernel pair: K_SS and, when query inputs were given, K_QS.</summary>
public sealed record NtkKernels(Tensor Kss, Tensor? Kqs) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Kss.Dispose();
        Kqs?.Dispose();
    }
}
