namespace Tangent.Reports;

/// <summary>
/// What the interactive channel explorer shows for one run: at each recorded step t_k, the spectrum λ_i(t_k) of the
/// operator (K_SS, descending), the energy of the output gradient and of the label noise along each
/// eigenvector, (v_iᵀ g)² summed over output columns, and the transfer norms ‖K_QS v_i‖. The page
/// re-partitions at any threshold τ exactly as <see cref="Channel.SpectralPartition"/> does:
/// channel = {i : λ_i ≥ τ·max(λ_1, 0), λ_i &gt; 0}, and a share is Σ_channel e_i / Σ_i e_i.
/// </summary>
/// <param name="Name">Shown in the run selector (an arm's name, or the run's).</param>
/// <param name="Operator">The operator decomposed, for labels ("K_SS").</param>
/// <param name="Steps">The recorded steps t_k.</param>
/// <param name="Eigenvalues">λ_i(t_k), one descending row per step.</param>
/// <param name="Residual">(v_iᵀ g(t_k))², g the output gradient (U − Y under ½-MSE), one row per step.</param>
/// <param name="Noise">(v_iᵀ ε)², ε the injected label noise, one row per step; null without label
/// noise.</param>
/// <param name="Transfer">‖K_QS v_i‖, one row per step; null without a query set.</param>
public sealed record ExplorerSeries(
    string Name,
    string Operator,
    IReadOnlyList<int> Steps,
    IReadOnlyList<double[]> Eigenvalues,
    IReadOnlyList<double[]> Residual,
    IReadOnlyList<double[]>? Noise,
    IReadOnlyList<double[]>? Transfer
)
{
    /// <summary>Checks that every row has one value per eigen-direction and every series one row per step.</summary>
    public ExplorerSeries Validate()
    {
        int k = Steps.Count;
        if (k == 0)
            throw new ArgumentException($"explorer series '{Name}' has no steps");
        int n = Eigenvalues[0].Length;
        foreach (
            var (rows, what) in new[]
            {
                (Eigenvalues, "eigenvalues"),
                (Residual, "residual"),
                (Noise, "noise"),
                (Transfer, "transfer"),
            }
        )
        {
            if (rows is null)
                continue;
            if (rows.Count != k || rows.Any(r => r.Length != n))
                throw new ArgumentException($"explorer series '{Name}': {what} must be {k} rows of {n} values");
        }
        return this;
    }
}
