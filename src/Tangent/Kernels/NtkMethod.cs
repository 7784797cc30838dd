namespace Tangent.Kernels;

/// <summary>
/// How an empirical NTK is computed. All three methods compute the same kernel K = J M Jᵀ exactly (up to rounding);
/// tests assert they agree pairwise.
/// </summary>
public enum NtkMethod
{
    /// <summary>
    /// Per-layer rules: K = Σ_layers (Δ_a Δ_bᵀ) ⊙ (A_a A_bᵀ + bias terms) from captured layer inputs A and
    /// back-propagated output signals Δ, never forming a per-example gradient for ruled layers; one backward pass per
    /// output channel. The fast method for MLPs, convolutions and embeddings; layers without a rule fall back to
    /// per-row autograd (or fail, per <see cref="MissingRule"/>). Needs samples to be processed independently (no
    /// BatchNorm in training mode).
    /// </summary>
    LayerwiseRules,

    /// <summary>
    /// The reference: rows of J = ∂U/∂w by one reverse-mode pass per output row (n·p passes), blocked so J is
    /// never held whole when it would not fit, then K = J M Jᵀ. Works for any module. Slow: use it to check.
    /// </summary>
    JacobianContraction,

    /// <summary>
    /// Matrix-free products K·v = J (M (Jᵀ v)): a vector–Jacobian product, then a Jacobian–vector product by the
    /// double-backward trick. Dense kernels are assembled one column at a time (slow); the point is
    /// <see cref="NtkVectorProducts"/> and <see cref="Lanczos"/> for the top of the spectrum when n·p is too large for
    /// a dense matrix.
    /// </summary>
    NtkVectorProducts,
}
