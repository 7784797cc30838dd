using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>
/// The ½-MSE training loss in output space, Φ_S(U) = (1/2n) Σ_i ‖u_i − y_i‖², with output gradient g = (U −
/// Y)/n and output Hessian B = I/n (THEORY §1).
/// </summary>
public static class HalfMse
{
    /// <summary>Φ_S(U) = (1/2n) Σ_i ‖u_i − y_i‖² for n×p outputs and targets.</summary>
    public static Tensor Loss(Tensor outputs, Tensor targets) =>
        (outputs - targets).Squared().sum().Over(2.0 * outputs.shape[0]);

    /// <summary>Mean squared error (1/(n·p)) Σ (u − y)², the number reported as train/test MSE.</summary>
    public static double Mse(Tensor outputs, Tensor targets)
    {
        using var d = (outputs - targets).Squared().mean();
        return d.item<double>();
    }
}
