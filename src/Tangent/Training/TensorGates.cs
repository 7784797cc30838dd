namespace Tangent.Training;

/// <summary>
/// SnrAdamW's gate q per parameter tensor at one logged step, tensors in the order of the model's
/// <c>parameters()</c>: the mean q̄_ℓ = mean_{k ∈ ℓ} q_k and the share gated off #{k ∈ ℓ : q_k = 0}/|ℓ|
/// (THEORY §6). Written to <c>layer_gates.csv</c> beside metrics.csv and kept in checkpoints, so a resumed run logs
/// the same history as an uninterrupted one.
/// </summary>
/// <param name="Mean">q̄_ℓ for each tensor ℓ.</param>
/// <param name="Off">The gated-off share of each tensor ℓ.</param>
public sealed record TensorGates(IReadOnlyList<double> Mean, IReadOnlyList<double> Off)
{
    /// <summary>The optimizer's reading at its last step, or null before its first SnrAdamW step.</summary>
    public static TensorGates? Of(Optimizer optimizer) =>
        optimizer.LayerGates.Count == 0
            ? null
            : new TensorGates(
                optimizer.LayerGates.Select(g => g.Mean).ToList(),
                optimizer.LayerGates.Select(g => g.Off).ToList()
            );

    /// <inheritdoc/>
    public bool Equals(TensorGates? other) =>
        other is not null && Mean.SequenceEqual(other.Mean) && Off.SequenceEqual(other.Off);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Mean.Count, Mean.FirstOrDefault(), Off.FirstOrDefault());
}
