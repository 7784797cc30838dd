using static TorchSharp.torch;

namespace Tangent.Theory;

/// <summary>Kernel ridge regression and the training-data-only risk estimate KARE, float64.</summary>
public static class KernelRegression
{
    /// <summary>Predictions f̂(Q) = K_QS (K_SS + δI)⁻¹ Y (Cholesky solve; δ = 0 uses a least-squares
    /// solve).</summary>
    public static Tensor Predict(Tensor kss, Tensor kqs, Tensor y, double ridge)
    {
        using var scope = NewDisposeScope();
        var k = kss.to_type(ScalarType.Float64);
        var a = k + ridge * eye(k.shape[0], dtype: ScalarType.Float64);
        var alpha =
            ridge > 0
                ? linalg.solve(a, y.to_type(ScalarType.Float64))
                : linalg.lstsq(a, y.to_type(ScalarType.Float64)).Solution;
        return kqs.to_type(ScalarType.Float64).matmul(alpha).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// KARE (Jacot, Şimşek, Spadaro, Hongler, Gabriel 2020): with K̄ = K/n and λ = δ/n, ρ = (1/n) yᵀ(K̄ +
    /// λI)⁻² y / [(1/n) tr (K̄ + λI)⁻¹]², an estimate of the KRR test MSE from training data alone.
    /// </summary>
    public static double Kare(Tensor kss, Tensor y, double ridge)
    {
        if (ridge <= 0)
            throw new ArgumentOutOfRangeException(nameof(ridge), "KARE needs a positive ridge");
        using var scope = NewDisposeScope();
        long n = kss.shape[0];
        var k = kss.to_type(ScalarType.Float64) / n;
        var inverse = linalg.inv(k + ridge / n * eye(n, dtype: ScalarType.Float64));
        var iy = inverse.matmul(y.to_type(ScalarType.Float64).reshape(n, -1));
        double numerator = iy.Squared().sum().item<double>() / n / iy.shape[1];
        double denominator = Math.Pow(inverse.trace().item<double>() / n, 2);
        return numerator / denominator;
    }

    /// <summary>
    /// Population eigenvalues estimated from a sample: the eigenvalues of K/N on N points drawn from the data
    /// distribution (Nyström: they converge to the integral operator's as N grows), descending.
    /// </summary>
    public static double[] PopulationEigenvalues(Tensor kernelOnSample)
    {
        using var scope = NewDisposeScope();
        long n = kernelOnSample.shape[0];
        var k = kernelOnSample.to_type(ScalarType.Float64);
        return linalg.eigvalsh((k + k.T) / (2.0 * n)).flip(0).data<double>().ToArray();
    }
}
