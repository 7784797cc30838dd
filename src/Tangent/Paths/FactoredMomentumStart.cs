using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// The momentum-start blocks of factored operators (THEORY §2, "Momentum"; <see cref="MomentumStart"/> in the
/// coordinates of the common subspace U). A momentum image h [N, c] splits into ĥ = Uᵀh and h⊥ = h − Uĥ, and
/// the gradient likewise into ĝ and g⊥; the kernels vanish on U's complement, where every direction follows the same
/// scalar recurrence (the mode λ = 0: h⊥ decays by a and drags g⊥ along). Then
/// <list type="bullet">
/// <item>ΔU_S = −(U (D̂ ĝ + D̂_h ĥ) + d⊥ h⊥);</item>
/// <item>ΔU_Q = −(Ĝ ĝ + Ĝ_h ĥ + γ h_Q);</item>
/// <item>L(T) − L(s) = −(ẑᵀ Ŵ̃ ẑ + z⊥ᵀ Ŵ̃⊥ z⊥) with ẑ = (ĝ, ĥ) and z⊥ = (g⊥, h⊥) (each
/// 2 × 2 entry of Ŵ̃⊥ pairs the columns' inner products);</item>
/// </list>
/// with D̂, Ĝ the core's blocks on ĝ (<see cref="FactoredOperators.Core"/>).
/// </summary>
/// <param name="Model">The momentum model integrated.</param>
/// <param name="Displacement">D̂_h [R × R].</param>
/// <param name="Transfer">Ĝ_h [M × R].</param>
/// <param name="QueryScale">γ: G_hQ = γ I (the query momentum only decays: h^Q_t = a h^Q_{t−1} +
/// b K_QS g_t).</param>
/// <param name="Gramian">Ŵ [2R × 2R] over (ĝ, ĥ) (flow form).</param>
/// <param name="DiscreteGramian">Ŵ̃ [2R × 2R] (exact for a quadratic loss).</param>
/// <param name="ComplementDisplacement">d⊥: how far the momentum outside U moves the training outputs (the
/// gradient outside U moves only with it).</param>
/// <param name="ComplementGramian">Ŵ⊥ [2 × 2] over (g⊥, h⊥) (flow form).</param>
/// <param name="ComplementDiscreteGramian">Ŵ̃⊥ [2 × 2].</param>
public sealed record FactoredMomentumStart(
    MomentumModel Model,
    Tensor Displacement,
    Tensor Transfer,
    double QueryScale,
    Tensor Gramian,
    Tensor DiscreteGramian,
    double ComplementDisplacement,
    Tensor ComplementGramian,
    Tensor ComplementDiscreteGramian
) : IDisposable
{
    /// <summary>zᵀ Ŵ z + z⊥ᵀ Ŵ⊥ z⊥ for the start state (ĝ, ĥ) in U's coordinates and (g⊥, h⊥) outside
    /// U, with <paramref name="discrete"/> choosing Ŵ̃: the predicted loss decrease L(s) − L(T).</summary>
    public double LossDecrease(Tensor zg, Tensor zh, Tensor gPerp, Tensor hPerp, bool discrete)
    {
        using var scope = NewDisposeScope();
        var w = discrete ? DiscreteGramian : Gramian;
        var wp = discrete ? ComplementDiscreteGramian : ComplementGramian;
        var z = cat(new[] { zg, zh }, 0);
        double inside = (z * w.matmul(z)).sum().item<double>();
        double gg = gPerp.Squared().sum().item<double>(),
            gh = (gPerp * hPerp).sum().item<double>(),
            hh = hPerp.Squared().sum().item<double>();
        var c = wp.data<double>().ToArray();
        return inside + c[0] * gg + (c[1] + c[2]) * gh + c[3] * hh;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Displacement.Dispose();
        Transfer.Dispose();
        Gramian.Dispose();
        DiscreteGramian.Dispose();
        ComplementGramian.Dispose();
        ComplementDiscreteGramian.Dispose();
    }
}
