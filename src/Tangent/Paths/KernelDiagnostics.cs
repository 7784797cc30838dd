using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>Kernel diagnostics of THEORY §7, float64.</summary>
public static class KernelDiagnostics
{
    /// <summary>Relative Frobenius drift ‖K_2 − K_1‖_F / ‖K_1‖_F.</summary>
    public static double DriftFrobenius(Tensor k1, Tensor k2)
    {
        using var scope = NewDisposeScope();
        return (k2 - k1).norm().item<double>() / k1.norm().item<double>();
    }

    /// <summary>Relative operator-norm drift ‖K_2 − K_1‖₂ / ‖K_1‖₂ (symmetric kernels).</summary>
    public static double DriftOperator(Tensor k1, Tensor k2)
    {
        using var scope = NewDisposeScope();
        double a = linalg.eigvalsh(Symmetric(k2 - k1)).abs().max().item<double>();
        double b = linalg.eigvalsh(Symmetric(k1)).abs().max().item<double>();
        return a / b;
    }

    /// <summary>Kernel distance 1 − ⟨K_1, K_2⟩_F / (‖K_1‖_F ‖K_2‖_F) (Fort et al. 2020).</summary>
    public static double Distance(Tensor k1, Tensor k2)
    {
        using var scope = NewDisposeScope();
        return 1 - (k1 * k2).sum().item<double>() / (k1.norm().item<double>() * k2.norm().item<double>());
    }

    /// <summary>
    /// Centered kernel–target alignment ⟨HKH, HYYᵀH⟩_F / (‖HKH‖_F ‖HYYᵀH‖_F), H = I − 11ᵀ/N
    /// (Cortes et al. 2012); <paramref name="targets"/> is [N, c].
    /// </summary>
    public static double CenteredAlignment(Tensor kernel, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var k = kernel.to_type(ScalarType.Float64);
        var kc = k - k.mean(new long[] { 0 }, keepdim: true) - k.mean(new long[] { 1 }, keepdim: true) + k.mean();
        var y = targets.to_type(ScalarType.Float64);
        var yc = y - y.mean(new long[] { 0 }, keepdim: true);
        var t = yc.matmul(yc.T);
        double denominator = kc.norm().item<double>() * t.norm().item<double>();
        return denominator == 0 ? 0 : (kc * t).sum().item<double>() / denominator;
    }

    /// <summary>
    /// The centered alignment of a factored kernel K = V Λ Vᵀ (V [N × r]) without forming it: with A = H
    /// V Λ^{1/2}, HKH = AAᵀ, so ⟨HKH, HYYᵀH⟩_F = ‖Aᵀ Y_c‖²_F and ‖HKH‖_F = ‖AᵀA‖_F.
    /// </summary>
    public static double CenteredAlignment(Tensor vectors, Tensor values, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var v = vectors.to_type(ScalarType.Float64);
        var a = (v - v.mean(new long[] { 0 }, keepdim: true)) * values.to_type(ScalarType.Float64).clamp_min(0).sqrt();
        var y = targets.to_type(ScalarType.Float64);
        var yc = y - y.mean(new long[] { 0 }, keepdim: true);
        double denominator = a.T.matmul(a).norm().item<double>() * yc.T.matmul(yc).norm().item<double>();
        return denominator == 0 ? 0 : a.T.matmul(yc).Squared().sum().item<double>() / denominator;
    }

    /// <summary>Effective ranks of a spectrum λ (any order, negatives clamped): r_0 = Σλ/λ_max and R_0 =
    /// (Σλ)²/Σλ² (Bartlett et al. 2020).</summary>
    public static (double R0Small, double R0Large) EffectiveRanks(double[] eigenvalues)
    {
        var l = eigenvalues.Select(v => Math.Max(v, 0)).ToArray();
        double sum = l.Sum(),
            max = l.Max(),
            sq = l.Sum(v => v * v);
        return (max == 0 ? 0 : sum / max, sq == 0 ? 0 : sum * sum / sq);
    }

    private static Tensor Symmetric(Tensor a) => (a + a.T) / 2;
}
