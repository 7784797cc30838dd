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
    )
    {
        using var scope = NewDisposeScope();
        var j = jacobian.to_type(ScalarType.Float64);
        var kernel = (j * preconditioner.to_type(ScalarType.Float64).unsqueeze(0)).matmul(j.T);
        using var partition = SpectralPartition.OfAbsolute(kernel, lambdaStar);
        var motion = j.matmul(taken.to_type(ScalarType.Float64));
        var free = j.matmul(ungated.to_type(ScalarType.Float64));
        var removed = free - motion;
        double freeNorm = free.norm().item<double>(),
            removedNorm = removed.norm().item<double>();
        bool anything = removedNorm > 1e-12 * Math.Max(freeNorm, double.Epsilon);
        return new UpdateSplit(
            partition.ChannelSize,
            (int)j.shape[0],
            partition.ChannelShare(motion),
            partition.ChannelShare(free),
            anything ? partition.ChannelShare(removed) : double.NaN,
            freeNorm > 0 ? removedNorm / freeNorm : double.NaN
        );
    }
}
