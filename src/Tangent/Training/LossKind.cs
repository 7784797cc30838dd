using Tangent.Data;
using Tangent.Models;

namespace Tangent.Training;

/// <summary>Training loss in output space.</summary>
public enum LossKind
{
    /// <summary>Φ = (1/2n) Σ_i ‖u_i − y_i‖²; g = (U − Y)/n, B = I/n.</summary>
    HalfMse,

    /// <summary>Φ = (1/n) Σ_i −log softmax(u_i)[y_i]; g_i = (π_i − e_{y_i})/n, B_i = (diag π_i − π_i
    /// π_iᵀ)/n.</summary>
    CrossEntropy,
}
