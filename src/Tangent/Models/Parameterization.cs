namespace Tangent.Models;

/// <summary>How weights are scaled (Jacot et al. 2018; the infinite-width limits differ only in the learning-rate
/// scale).</summary>
public enum Parameterization
{
    /// <summary>W, b ~ N(0, 1); the layer computes (σ_w/√fan_in)·W x + σ_b·b.</summary>
    Ntk,

    /// <summary>W ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²); the layer computes W x + b.</summary>
    Standard,
}
