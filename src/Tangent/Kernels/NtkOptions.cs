using static TorchSharp.torch;

namespace Tangent.Kernels;

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
    /// Diagonal preconditioner M (length P over the selected parameters, in the model's <c>named_parameters()</c>
    /// order), so K = J M Jᵀ is the kernel an adaptive optimizer really follows. Null means M = I.
    /// </summary>
    public Tensor? Preconditioner { get; init; }

    /// <summary>
    /// Names (state-dict keys, e.g. <c>layers.0.weight</c>) of the parameters whose kernel to compute; a name that ends
    /// with '.' selects every parameter under that prefix. Null: every trainable parameter.
    /// </summary>
    public IReadOnlyList<string>? Parameters { get; init; }

    /// <summary>What to do with a parametric layer without a rule (LayerwiseRules only).</summary>
    public MissingRule MissingRule { get; init; } = MissingRule.Fallback;

    /// <summary>
    /// Memory budget, in tensor elements, for blocks of per-example gradients (J rows); larger problems are processed
    /// in row blocks.
    /// </summary>
    public long BlockElements { get; init; } = 1L << 26;

    /// <summary>
    /// Checked between blocks (sample blocks of per-example gradients, layers, columns of a dense matrix-free kernel):
    /// a cancelled token throws <see cref="OperationCanceledException"/> there. A single LibTorch call is never
    /// interrupted.
    /// </summary>
    public CancellationToken Cancel { get; init; }
}
