namespace Tangent.Theory;

/// <summary>The eigenlearning prediction for kernel ridge regression (Simon et al., TMLR 2023).</summary>
/// <param name="Kappa">κ, solving n = Σ_i λ_i/(λ_i + κ) + δ/κ.</param>
/// <param name="Learnabilities">L_i = λ_i/(λ_i + κ).</param>
/// <param name="Overfitting">E₀ = n/(n − Σ_i L_i²).</param>
/// <param name="TestMse">E₀ (Σ_i (1 − L_i)² v_i² + ε²): expected test MSE against noisy targets.</param>
/// <param name="TrainMse">(δ/(nκ))² · test MSE.</param>
public sealed record EigenlearningPrediction(
    double Kappa,
    double[] Learnabilities,
    double Overfitting,
    double TestMse,
    double TrainMse
)
{
    /// <summary>Test MSE against the clean target: E₀(Σ(1 − L_i)² v_i² + ε²) − ε².</summary>
    public double CleanTestMse(double noiseVariance) => TestMse - noiseVariance;
}
