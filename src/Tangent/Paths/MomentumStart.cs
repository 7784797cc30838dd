using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// What the momentum-aware operators add to D, G_Q and W_S (THEORY §2, "Momentum"): the blocks acting on the momentum
/// images h_S = J_S M m and h_Q = J_Q M m the window starts with, so that ΔU_S = −(D g(s) + D_h h_S) and ΔU_Q =
/// −(G_Q g(s) + G_h h_S + G_hQ h_Q), and the Gramians Ŵ, Ŵ̃ over the whole state z_s = (g(s), h_S, h_Q) with
/// L(T) − L(s) = −z_sᵀ Ŵ̃ z_s.
/// </summary>
/// <param name="Model">The momentum model integrated.</param>
/// <param name="Displacement">D_h [N, N].</param>
/// <param name="Transfer">G_h [N_Q, N].</param>
/// <param name="QueryTransfer">G_hQ [N_Q, N_Q].</param>
/// <param name="Gramian">Ŵ [2N + N_Q, 2N + N_Q] (flow form).</param>
/// <param name="DiscreteGramian">Ŵ̃ [2N + N_Q, 2N + N_Q] (exact for a quadratic loss).</param>
public sealed record MomentumStart(
    MomentumModel Model,
    Tensor Displacement,
    Tensor Transfer,
    Tensor QueryTransfer,
    Tensor Gramian,
    Tensor DiscreteGramian
) : IDisposable
{
    /// <summary>The state z_s = (g, h_S, h_Q) as columns (zeros where a momentum image is missing: a run that
    /// starts the window at step 0 has none).</summary>
    public static Tensor State(Tensor g, Tensor? hS, Tensor? hQ, long queryRows)
    {
        var cols = g.shape[1];
        return cat(new[] { g, hS ?? zeros_like(g), hQ ?? zeros(new[] { queryRows, cols }, dtype: g.dtype) }, 0);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Displacement.Dispose();
        Transfer.Dispose();
        QueryTransfer.Dispose();
        Gramian.Dispose();
        DiscreteGramian.Dispose();
    }
}
