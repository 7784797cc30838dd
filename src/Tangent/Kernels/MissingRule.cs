namespace Tangent.Kernels;

/// <summary>What LayerwiseRules does with a parametric layer that has no rule.</summary>
public enum MissingRule
{
    /// <summary>Compute that layer's contribution by per-row autograd (exact, slower).</summary>
    Fallback,

    /// <summary>Fail with a message naming the layer and its type.</summary>
    Throw,
}
