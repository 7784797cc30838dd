using static TorchSharp.torch;

namespace Tangent.Channel;

/// <summary>
/// One parameter update's output motions resolved mode by mode in the eigenbasis of K = J M Jᵀ (THEORY §2): the
/// eigenvalues λ_k in descending order and, for the update taken Δw, the same update without the gate Δw₁ and the
/// part the gate removed Δw₁ − Δw, the energies e_k = (v_kᵀ J Δw)². Kept instead of J (m × P) so that a long
/// run can sample many steps and split them later at a threshold λ⋆ known only at its end: Σ_k e_k = ‖J Δw‖²,
/// and the channel share at λ⋆ is Σ_{λ_k ≥ λ⋆, λ_k > 0} e_k / Σ_k e_k.
/// </summary>
/// <param name="Eigenvalues">λ_1 ≥ … ≥ λ_m of K.</param>
/// <param name="Taken">(v_kᵀ J Δw)² for the update taken.</param>
/// <param name="Ungated">(v_kᵀ J Δw₁)² for the update without the gate.</param>
/// <param name="Removed">(v_kᵀ J (Δw₁ − Δw))² for what the gate removed.</param>
public sealed record UpdateSpectrum(
    IReadOnlyList<double> Eigenvalues,
    IReadOnlyList<double> Taken,
    IReadOnlyList<double> Ungated,
    IReadOnlyList<double> Removed
)
{
    /// <summary>
    /// Resolves the updates <paramref name="taken"/> and <paramref name="ungated"/> (flattened over the parameters, as
    /// <paramref name="jacobian"/>'s columns [m, P]) in the eigenbasis of K = J diag(<paramref name="preconditioner"/>)
    /// Jᵀ, in float64.
    /// </summary>
    public static UpdateSpectrum Of(Tensor jacobian, Tensor preconditioner, Tensor taken, Tensor ungated)
    {
        using var scope = NewDisposeScope();
        var j = jacobian.to_type(ScalarType.Float64);
        var kernel = j.mul(preconditioner.to_type(ScalarType.Float64).unsqueeze(0)).matmul(j.T);
        using var partition = SpectralPartition.OfAbsolute(kernel, double.PositiveInfinity);
        var motion = j.matmul(taken.to_type(ScalarType.Float64));
        var free = j.matmul(ungated.to_type(ScalarType.Float64));
        double[] Energies(Tensor v) => partition.Vectors.T.matmul(v).Squared().data<double>().ToArray();
        return new UpdateSpectrum(
            partition.Values.data<double>().ToArray(),
            Energies(motion),
            Energies(free),
            Energies(free - motion)
        );
    }

    /// <summary>The split at the threshold <paramref name="lambdaStar"/> (see <see cref="UpdateSplit"/>).</summary>
    public UpdateSplit Split(double lambdaStar)
    {
        int channel = Eigenvalues.Count(l => l >= lambdaStar && l > 0);
        double Share(IReadOnlyList<double> e)
        {
            double total = e.Sum();
            return total == 0 ? 0 : e.Take(channel).Sum() / total;
        }
        double freeNorm = Math.Sqrt(Ungated.Sum()),
            removedNorm = Math.Sqrt(Removed.Sum());
        bool anything = removedNorm > 1e-12 * Math.Max(freeNorm, double.Epsilon);
        return new UpdateSplit(
            channel,
            Eigenvalues.Count,
            Share(Taken),
            Share(Ungated),
            anything ? Share(Removed) : double.NaN,
            freeNorm > 0 ? removedNorm / freeNorm : double.NaN
        );
    }

    /// <inheritdoc/>
    public bool Equals(UpdateSpectrum? other) =>
        other is not null
        && Eigenvalues.SequenceEqual(other.Eigenvalues)
        && Taken.SequenceEqual(other.Taken)
        && Ungated.SequenceEqual(other.Ungated)
        && Removed.SequenceEqual(other.Removed);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Eigenvalues.Count, Eigenvalues.FirstOrDefault());
}
