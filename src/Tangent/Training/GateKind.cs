using Tangent.Data;
using Tangent.Models;

namespace Tangent.Training;

/// <summary>The gate q ∈ [0, 1] of <see cref="OptimizerKind.SnrAdamW"/> (THEORY §6).</summary>
public enum GateKind
{
    /// <summary>q = (m̂² − αŝ)₊ / ((m̂² − αŝ)₊ + λ_pop ŝ + ε) (default).</summary>
    Soft,

    /// <summary>q = m̂² / (m̂² + λ_pop ŝ).</summary>
    Snr,

    /// <summary>q = 1[m̂² &gt; αŝ].</summary>
    Hard,

    /// <summary>q = 1[ĝ² &gt; v/(b − 1)] from the current batch's per-example gradients.</summary>
    Exact,

    /// <summary>q = 1: plain AdamW (for checks).</summary>
    One,
}
