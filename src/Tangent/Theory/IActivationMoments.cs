using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Theory;

/// <summary>
/// The two Gaussian moments an infinite-width layer needs, for (u, v) ~ N(0, [[a, c], [c, b]]) elementwise over tensors
/// of variances a, b and covariances c: T = E[φ(u)φ(v)] (NNGP map) and Ṫ = E[φ′(u)φ′(v)] (NTK map).
/// </summary>
public interface IActivationMoments
{
    /// <summary>(T, Ṫ) for variances <paramref name="a"/>, <paramref name="b"/> and covariance <paramref name="c"/>
    /// (broadcast).</summary>
    (Tensor T, Tensor TDot) Moments(Tensor a, Tensor b, Tensor c);
}
