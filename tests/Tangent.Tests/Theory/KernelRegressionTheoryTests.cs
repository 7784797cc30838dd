using Tangent.Theory;
using static TorchSharp.torch;

namespace Tangent.Tests.Theory;

/// <summary>Classical predictions against simulations of the same estimators.</summary>
public class KernelRegressionTheoryTests
{
    /// <summary>
    /// A task with known eigenstructure: x ∈ ℝ^D with independent coordinates x_i ~ N(0, λ_i), λ_i ∝
    /// i^(−1.5), the linear kernel K(x, x′) = x·x′ (integral-operator eigenvalues λ_i, eigenfunctions
    /// x_i/√λ_i) and the target y = Σ_i v_i x_i/√λ_i + ε with v_i ∝ i^(−0.75), Σv_i² = 1, Var ε = 0.1.
    /// </summary>
    private sealed class PowerLawTask
    {
        public const int D = 3000;
        public const double Noise = 0.1;
        public readonly double[] Lambda = Enumerable.Range(1, D).Select(i => Math.Pow(i, -1.5)).ToArray();
        public readonly double[] V;

        public PowerLawTask()
        {
            var v = Enumerable.Range(1, D).Select(i => Math.Pow(i, -0.75)).ToArray();
            double norm = Math.Sqrt(v.Sum(a => a * a));
            V = v.Select(a => a / norm).ToArray();
        }

        public (Tensor X, Tensor Y, Tensor Clean) Sample(int n, Generator g)
        {
            var scale = tensor(Lambda).sqrt();
            var x = randn(new long[] { n, D }, dtype: ScalarType.Float64, generator: g) * scale;
            var beta = tensor(V) / scale;
            var clean = x.matmul(beta);
            return (
                x,
                clean + Math.Sqrt(Noise) * randn(new long[] { n }, dtype: ScalarType.Float64, generator: g),
                clean
            );
        }
    }

    [Theory]
    [InlineData(50)]
    [InlineData(200)]
    [InlineData(1000)]
    [InlineData(2000)]
    public void EigenlearningPredictsKernelRidgeRegressionTestError(int n)
    {
        using var scope = NewDisposeScope();
        var task = new PowerLawTask();
        const double ridge = 1e-3;
        var g = new Generator((ulong)n);
        double measured = 0;
        const int seeds = 3;
        for (int s = 0; s < seeds; s++)
        {
            using var inner = NewDisposeScope();
            var (x, y, _) = task.Sample(n, g);
            var (xq, yq, _) = task.Sample(1000, g);
            var prediction = KernelRegression.Predict(x.matmul(x.T), xq.matmul(x.T), y.unsqueeze(1), ridge).squeeze(1);
            measured += (prediction - yq).square().mean().item<double>() / seeds;
        }
        var theory = Eigenlearning.Predict(task.Lambda, task.V, n, ridge, PowerLawTask.Noise);
        Assert.True(
            Math.Abs(theory.TestMse - measured) / measured < 0.10,
            $"n = {n}: eigenlearning {theory.TestMse:F4}, KRR {measured:F4}"
        );
    }

    [Fact]
    public void KareEstimatesTheTestErrorFromTrainingDataAlone()
    {
        using var scope = NewDisposeScope();
        var task = new PowerLawTask();
        var g = new Generator(77);
        var (x, y, _) = task.Sample(800, g);
        var (xq, yq, _) = task.Sample(2000, g);
        const double ridge = 1e-2;
        var prediction = KernelRegression.Predict(x.matmul(x.T), xq.matmul(x.T), y.unsqueeze(1), ridge).squeeze(1);
        double measured = (prediction - yq).square().mean().item<double>();
        double kare = KernelRegression.Kare(x.matmul(x.T), y, ridge);
        Assert.True(Math.Abs(kare - measured) / measured < 0.15, $"KARE {kare:F4}, measured {measured:F4}");
    }

    [Fact]
    public void PopulationEigenvaluesFromASampleApproachTheOperatorSpectrum()
    {
        using var scope = NewDisposeScope();
        var task = new PowerLawTask();
        var (x, _, _) = task.Sample(2000, new Generator(5));
        var estimated = KernelRegression.PopulationEigenvalues(x.matmul(x.T));
        for (int i = 0; i < 5; i++)
            Assert.True(
                Math.Abs(estimated[i] - task.Lambda[i]) / task.Lambda[i] < 0.15,
                $"λ_{i + 1}: {estimated[i]:F4} vs {task.Lambda[i]:F4}"
            );
    }

    [Fact]
    public void EffectiveRanksOfAFlatSpectrumAreItsSize()
    {
        var ranks = BenignOverfitting.Ranks(Enumerable.Repeat(2.0, 100).ToArray(), n: 10, b: 1);
        Assert.Equal(100, ranks.SmallR[0], 12);
        Assert.Equal(100, ranks.LargeR[0], 12);
        Assert.Equal(90, ranks.SmallR[10], 12);
        Assert.Equal(0, ranks.KStar); // r_0 = 100 ≥ b·n = 10
    }

    /// <summary>
    /// Sample-wise double descent of ridgeless least squares (d = 100, σ² = 0.5, ‖β‖² = 1): the closed form
    /// against the minimum-norm solution averaged over 40 draws, within 4 standard errors, away from the pole at n = d.
    /// </summary>
    [Theory]
    [InlineData(30)]
    [InlineData(80)]
    [InlineData(140)]
    [InlineData(400)]
    public void RidgelessClosedFormMatchesSimulation(int n)
    {
        using var scope = NewDisposeScope();
        const int d = 100;
        const double sigma2 = 0.5;
        var g = new Generator((ulong)(n + 1));
        var risks = new double[40];
        for (int r = 0; r < risks.Length; r++)
        {
            using var inner = NewDisposeScope();
            var beta = randn(new long[] { d }, dtype: ScalarType.Float64, generator: g);
            beta = beta / beta.norm();
            var x = randn(new long[] { n, d }, dtype: ScalarType.Float64, generator: g);
            var y =
                x.matmul(beta) + Math.Sqrt(sigma2) * randn(new long[] { n }, dtype: ScalarType.Float64, generator: g);
            var estimate = linalg.pinv(x).matmul(y);
            risks[r] = (estimate - beta).square().sum().item<double>();
        }
        double mean = risks.Average(),
            se = Math.Sqrt(risks.Sum(v => (v - mean) * (v - mean)) / (risks.Length - 1) / risks.Length);
        double theory = LinearRegressionRisk.RidgelessExcessRisk(n, d, 1.0, sigma2);
        Assert.True(
            Math.Abs(mean - theory) < 4 * se,
            $"n = {n}: simulated {mean:F3} ± {se:F3}, closed form {theory:F3}"
        );
    }

    /// <summary>Mei–Montanari: with a small ridge the asymptotic risk peaks at the interpolation threshold N =
    /// n.</summary>
    [Fact]
    public void RandomFeaturesRiskPeaksAtTheInterpolationThreshold()
    {
        var (mu1, muStar) = RandomFeaturesRisk.ReluMoments;
        double psi2 = 3.0;
        double Risk(double psi1) => RandomFeaturesRisk.Risk(psi1, psi2, 1e-4, mu1, muStar, 1.0, 0.0, 0.2);
        double below = Risk(1.5),
            at = Risk(3.0),
            above = Risk(6.0),
            far = Risk(60.0);
        Assert.True(at > 3 * below && at > 3 * above, $"risk {below:F3} / {at:F3} / {above:F3}");
        Assert.True(far < above, "past the peak, more features help");
    }

    /// <summary>
    /// Mei–Montanari against a Monte-Carlo simulation of random-features ridge regression at d = 100 (ReLU features
    /// σ(⟨θ, x⟩/√d) on the sphere of radius √d, linear target F₁² = 1, noise τ² = 0.2, λ = 0.05),
    /// averaged over 12 draws: agreement within 4 standard errors plus 10 % for the finite-d correction.
    /// </summary>
    [Theory]
    [InlineData(100, 300)]
    [InlineData(300, 300)]
    [InlineData(900, 300)]
    public void RandomFeaturesRiskMatchesSimulationAtD100(int features, int n)
    {
        using var scope = NewDisposeScope();
        const int d = 100;
        const double lambda = 0.05,
            tau2 = 0.2;
        var g = new Generator((ulong)(features * 7 + n));
        Tensor Sphere(long count)
        {
            var z = randn(new long[] { count, d }, dtype: ScalarType.Float64, generator: g);
            return z / z.norm(1, keepdim: true) * Math.Sqrt(d);
        }
        var risks = new double[12];
        for (int r = 0; r < risks.Length; r++)
        {
            using var inner = NewDisposeScope();
            var theta = Sphere(features);
            var beta = randn(new long[] { d }, dtype: ScalarType.Float64, generator: g);
            beta = beta / beta.norm();
            var x = Sphere(n);
            var xq = Sphere(2000);
            var y = x.matmul(beta) + Math.Sqrt(tau2) * randn(new long[] { n }, dtype: ScalarType.Float64, generator: g);
            var f = (x.matmul(theta.T) / Math.Sqrt(d)).clamp_min(0);
            var fq = (xq.matmul(theta.T) / Math.Sqrt(d)).clamp_min(0);
            var a = linalg.solve(
                f.T.matmul(f) / n + features * lambda / d * eye(features, dtype: ScalarType.Float64),
                f.T.matmul(y) / n
            );
            risks[r] = (fq.matmul(a) - xq.matmul(beta)).square().mean().item<double>();
        }
        double mean = risks.Average(),
            se = Math.Sqrt(risks.Sum(v => (v - mean) * (v - mean)) / (risks.Length - 1) / risks.Length);
        var (mu1, muStar) = RandomFeaturesRisk.ReluMoments;
        double theory = RandomFeaturesRisk.Risk(
            (double)features / d,
            (double)n / d,
            lambda,
            mu1,
            muStar,
            1.0,
            0.0,
            tau2
        );
        Assert.True(
            Math.Abs(mean - theory) < 4 * se + 0.10 * theory,
            $"N = {features}, n = {n}: simulated {mean:F4} ± {se:F4}, Mei–Montanari {theory:F4}"
        );
    }
}
