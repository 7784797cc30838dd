using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// How an empirical NTK is computed. All three methods compute the same kernel
/// K = J M Jᵀ exactly (up to rounding); tests assert they agree pairwise.
/// </summary>
public enum NtkMethod
{
    /// <summary>
    /// Per-layer rules: K = Σ_layers (Δ_a Δ_bᵀ) ⊙ (A_a A_bᵀ + bias terms) from captured layer inputs A and
    /// back-propagated output signals Δ, never forming a per-example gradient for ruled layers; one backward
    /// pass per output channel. The fast method for MLPs, convolutions and embeddings; layers without a rule
    /// fall back to per-row autograd (or fail, per <see cref="MissingRule"/>). Needs samples to be processed
    /// independently (no BatchNorm in training mode).
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
    /// <see cref="NtkVectorProducts"/> and <see cref="Lanczos"/> for the top of the spectrum when n·p is too
    /// large for a dense matrix.
    /// </summary>
    NtkVectorProducts,
}

/// <summary>What LayerwiseRules does with a parametric layer that has no rule.</summary>
public enum MissingRule
{
    /// <summary>Compute that layer's contribution by per-row autograd (exact, slower).</summary>
    Fallback,
    /// <summary>Fail with a message naming the layer and its type.</summary>
    Throw,
}

/// <summary>Options of an eNTK computation (<see cref="Ntk"/>).</summary>
public sealed record NtkOptions
{
    /// <summary>Method; all give the same kernel.</summary>
    public NtkMethod Method { get; init; } = NtkMethod.LayerwiseRules;

    /// <summary>
    /// Output-traced kernel K_tr[i, j] = Σ_c K[(i,c), (j,c)] (n×n) instead of the full output-space kernel
    /// ((n·p)×(n·p), rows sample-major: i·p + c).
    /// </summary>
    public bool Traced { get; init; }

    /// <summary>
    /// Diagonal preconditioner M (length P over the selected parameters, in the model's
    /// <c>named_parameters()</c> order), so K = J M Jᵀ is the kernel an adaptive optimizer really follows.
    /// Null means M = I.
    /// </summary>
    public Tensor? Preconditioner { get; init; }

    /// <summary>
    /// Names (state-dict keys, e.g. <c>layers.0.weight</c>) of the parameters whose kernel to compute; a name
    /// that ends with '.' selects every parameter under that prefix. Null: every trainable parameter.
    /// </summary>
    public IReadOnlyList<string>? Parameters { get; init; }

    /// <summary>What to do with a parametric layer without a rule (LayerwiseRules only).</summary>
    public MissingRule MissingRule { get; init; } = MissingRule.Fallback;

    /// <summary>
    /// Memory budget, in tensor elements, for blocks of per-example gradients (J rows); larger problems are
    /// processed in row blocks.
    /// </summary>
    public long BlockElements { get; init; } = 1L << 26;

    /// <summary>
    /// Checked between blocks (sample blocks of per-example gradients, layers, columns of a dense matrix-free kernel): a
    /// cancelled token throws <see cref="OperationCanceledException"/> there. A single LibTorch call is never interrupted.
    /// </summary>
    public CancellationToken Cancel { get; init; }
}

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
