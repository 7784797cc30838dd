using Tangent.Training;

namespace Tangent.Paths;

/// <summary>
/// The momentum of the optimizer as the path operators model it (THEORY §2, "Momentum"): inside a frozen segment the
/// output image of the momentum buffer obeys h_t = a·h_{t−1} + b·K g_t and the outputs move by ΔU_t = −η c_t
/// h_t. Heavy-ball SGD (PyTorch's v_t = μ v_{t−1} + ∇): a = μ, b = 1, c_t = 1. Adam's first moment: a = β₁, b
/// = 1 − β₁, c_t = 1/(1 − β₁^{t+1}) (bias correction at optimizer step t + 1).
/// </summary>
/// <param name="Kind">"heavy-ball" or "adam".</param>
/// <param name="Coefficient">a: μ or β₁.</param>
/// <param name="GradientWeight">b: 1 or 1 − β₁.</param>
/// <param name="BiasCorrection">β₁ of the bias correction c_t, or 0 for none.</param>
public sealed record MomentumModel(string Kind, double Coefficient, double GradientWeight, double BiasCorrection)
{
    /// <summary>c_t for the update of step <paramref name="step"/> (0-based: the optimizer's step t + 1).</summary>
    public double StepScale(long step) => BiasCorrection > 0 ? 1 / (1 - Math.Pow(BiasCorrection, step + 1)) : 1;

    /// <summary>κ = b/(1 − a): the steady-state gain of the momentum (h = κ K g for a constant K g), so that a slow
    /// mode relaxes at κ times the momentum-free rate (heavy-ball: 1/(1 − μ); Adam: 1).</summary>
    public double Gain => GradientWeight / (1 - Coefficient);

    /// <summary>Whether c_t equals 1 in float64 for every step from <paramref name="step"/> on.</summary>
    public bool ScaleIsOneFrom(long step) => BiasCorrection == 0 || Math.Pow(BiasCorrection, step + 1) < 1e-17;

    /// <summary>The model of <paramref name="optimizer"/>'s momentum; null for GD and SGD without momentum.</summary>
    public static MomentumModel? For(OptimizerConfig optimizer) =>
        optimizer.Kind switch
        {
            OptimizerKind.Gd or OptimizerKind.Sgd when optimizer.Momentum > 0 => new(
                "heavy-ball",
                optimizer.Momentum,
                1,
                0
            ),
            OptimizerKind.Adam or OptimizerKind.AdamW or OptimizerKind.SnrAdamW when optimizer.Beta1 > 0 => new(
                "adam",
                optimizer.Beta1,
                1 - optimizer.Beta1,
                optimizer.Beta1
            ),
            _ => null,
        };
}
