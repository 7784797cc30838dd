using static TorchSharp.torch;

namespace Tangent.Channel;

/// <summary>
/// Where one parameter update lands in output space, split by the kernel K = J M Jᵀ of the outputs it moves
/// (THEORY §2): the channel holds the eigen-directions with λ ≥ λ⋆, the reservoir the rest. For an update Δw
/// the output motion is J Δw, and its channel share is ‖Π_ch J Δw‖² / ‖J Δw‖². Three updates are split:
/// the one taken (gated), the one without the gate, and the part the gate removed (ungated − gated).
/// </summary>
/// <param name="ChannelSize">Eigenvalues of K at or above λ⋆.</param>
/// <param name="Outputs">Dimension m of the output space.</param>
/// <param name="Taken">Channel share of J Δw for the update taken.</param>
/// <param name="Ungated">Channel share of J Δw₁ for the same step without the gate.</param>
/// <param name="Removed">Channel share of J (Δw₁ − Δw); NaN when the gate removed nothing.</param>
/// <param name="RemovedNorm">‖J (Δw₁ − Δw)‖ / ‖J Δw₁‖: how much of the ungated output motion the gate
/// removed.</param>
public sealed record UpdateSplit(
    int ChannelSize,
    int Outputs,
    double Taken,
    double Ungated,
    double Removed,
    double RemovedNorm
)
{
    /// <summary>
    /// Splits the updates <paramref name="taken"/> and <paramref name="ungated"/> (flattened over the parameters, as
    /// <paramref name="jacobian"/>'s columns [m, P]) by K = J diag(<paramref name="preconditioner"/>) Jᵀ at the
    /// threshold <paramref name="lambdaStar"/>.
    /// </summary>
    public static UpdateSplit Of(
        Tensor jacobian,
        Tensor preconditioner,
        Tensor taken,
        Tensor ungated,
        double lambdaStar
    ) => UpdateSpectrum.Of(jacobian, preconditioner, taken, ungated).Split(lambdaStar);
}
