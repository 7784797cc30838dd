using static TorchSharp.torch;

namespace Tangent.Kernels.Layerwise;

/// <summary>What a forward pass captured for one layer: its input [n, …] and output signals Δ [p, n,
/// …out].</summary>
/// <remarks>Δ[c, i] = ∂f_c(x_i)/∂y_i, the derivative of output channel c of sample i with respect to the layer's
/// output.</remarks>
internal sealed record Captured(Tensor Input, Tensor Signals);

/// <summary>
/// The eNTK contribution of one layer type, from its captured input and output signals. A rule always gives exact
/// per-example gradients of the layer's parameters (used for preconditioned kernels and gradient statistics); a rule
/// may also give a structured kernel that never forms them.
/// </summary>
internal interface ILayerRule
{
    /// <summary>Null when <paramref name="module"/> is handled, otherwise why not (e.g. grouped convolution).</summary>
    string? Unsupported(nn.Module module);

    /// <summary>
    /// The layer's kernel block between two captured sample sets, or null when this rule has no structured form for
    /// these inputs (the engine then contracts per-example gradients). Full: rows i·p + c of <paramref name="a"/>,
    /// columns j·p + c′ of <paramref name="b"/>; traced: [n_a, n_b].
    /// </summary>
    Tensor? StructuredKernel(LayerPlan layer, Captured a, Captured b, bool traced);

    /// <summary>
    /// The diagonal of <see cref="StructuredKernel"/>(a, a) without the off-diagonal: full [n·p] (rows i·p + c) or
    /// traced [n]; null when this rule has no structured form (the engine then takes the kernel's diagonal).
    /// </summary>
    Tensor? StructuredDiagonal(LayerPlan layer, Captured a, bool traced) => null;

    /// <summary>
    /// Per-example gradients ∂f/∂θ of the layer's selected parameters for R rows, from inputs [R, …in] and
    /// signals [R, …out] aligned row by row: [R, P_layer], parameters in <see cref="LayerPlan.Parameters"/> order.
    /// </summary>
    Tensor PerExampleGradients(LayerPlan layer, Tensor input, Tensor signals);

    /// <summary>
    /// Whether <see cref="PerExampleGradients"/> also takes inputs [b, …in] with signals [b·k, …out]
    /// (rows i·k + c, the k output rows of sample i sharing its input), so that the engine need not repeat each
    /// input k times.
    /// </summary>
    bool BroadcastsInputs => false;

    /// <summary>
    /// Σ_i (∂ℓ_i/∂θ)² over the samples of a capture with one output per sample (p = 1), flattened in
    /// <see cref="LayerPlan.Parameters"/> order, without per-example gradients; or null when this rule has no
    /// structured form (the engine then squares per-example gradients block by block).
    /// </summary>
    Tensor? StructuredSumOfSquares(LayerPlan layer, Captured captured) => null;

    /// <summary>
    /// Per sample i, Σ_k w_k (∂ℓ_i/∂θ_k)² over the layer's selected parameters for a capture with one output
    /// per sample (p = 1), with <paramref name="weights"/> flattened in <see cref="LayerPlan.Parameters"/> order (null:
    /// all 1): a vector [n], without per-example gradients; or null when this rule has no structured form (the engine
    /// then uses per-example gradients block by block).
    /// </summary>
    Tensor? StructuredWeightedSquaredNorms(LayerPlan layer, Captured captured, Tensor? weights) => null;
}
