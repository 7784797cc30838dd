using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>How the channel threshold is chosen.</summary>
public enum ThresholdKind
{
    /// <summary>λ ≥ τ·λ_max(W_S).</summary>
    Relative,

    /// <summary>
    /// λ ≥ (n/2)(1 − e⁻²): the W_S eigenvalue of a frozen-kernel ½-MSE mode with K-eigenvalue λ⋆ = n/(ηT),
    /// the mode that relaxed by e⁻¹ over the window (THEORY §2).
    /// </summary>
    LambdaStar,

    /// <summary>λ ≥ an explicit value.</summary>
    Absolute,
}
