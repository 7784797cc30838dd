using Tangent.Paths;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Paths;

/// <summary>
/// <see cref="NoiseTimeline"/> against the closed forms of a frozen kernel K = V diag(λ) Vᵀ under GD on the mean
/// ½-MSE (r_i = 1 − ηλ_i/n): W_S(0, T) has eigenvalues μ_i = ηλ_i(1 − r_i^{2T})/(1 − r_i²) on the same
/// vectors, so
/// the noise's channel share is Σ_{μ_i ≥ λ⋆} c_i²/‖c‖² with c = Vᵀε; from any U_0, U_T = U_0 + (I −
/// P^T)(Y − U_0)
/// and the clean twin's U′_T = U_0 + (I − P^T)(Y_clean − U_0), so U_T − U′_T = Σ_i (1 − r_i^T) c_i v_i and
/// φ(T) = Σ_i c_i²(1 − r_i^T)/‖c‖².
/// </summary>
public class NoiseTimelineTests
{
    [Fact]
    public void ChannelAndFittedSharesEqualTheFrozenKernelClosedForms()
    {
        const int n = 30;
        const double lr = 1.0;
        using var scope = NewDisposeScope();
        using var g = Seeds.Generator(5);
        var (q, _) = linalg.qr(randn(new long[] { n, n }, dtype: ScalarType.Float64, generator: g));
        var lambda = Enumerable.Range(0, n).Select(i => n * Math.Pow(10, -4.0 * i / (n - 1))).ToArray();
        var k = q.matmul(diag(tensor(lambda))).matmul(q.T);
        var clean = randn(new long[] { n, 1 }, dtype: ScalarType.Float64, generator: g);
        var noise = randn(new long[] { n, 1 }, dtype: ScalarType.Float64, generator: g);
        var c = q.T.matmul(noise).reshape(-1).data<double>().ToArray();
        double total = c.Sum(x => x * x);
        var r = lambda.Select(l => 1 - lr * l / n).ToArray();
        var kqs = randn(new long[] { 2, n }, dtype: ScalarType.Float64, generator: g);
        int[] steps = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192];
        var u0 = randn(new long[] { n, 1 }, dtype: ScalarType.Float64, generator: g);
        Tensor Relaxed(int t, Tensor target) =>
            u0 + q.matmul(diag(tensor(r.Select(ri => 1 - Math.Pow(ri, t)).ToArray()))).matmul(q.T).matmul(target - u0);
        var window = steps
            .Select(t => new Snapshot(t, lr, k, kqs, Relaxed(t, clean + noise), zeros(2, 1, dtype: ScalarType.Float64)))
            .ToList();
        var twin = steps.Select(t => Relaxed(t, clean)).ToList();
        var index = new SnapshotIndex
        {
            Steps = [.. steps],
            LearningRates = [.. steps.Select(_ => lr)],
            Traced = true,
            Outputs = 1,
            TrainSamples = n,
            QuerySamples = 2,
            Loss = LossKind.HalfMse,
        };

        var timeline = NoiseTimeline.Compute(window, index, noise, twin);

        double lambdaStar = NoiseTimeline.LambdaStar(n);
        Assert.Equal(steps, timeline.Steps);
        for (int j = 0; j < steps.Length; j++)
        {
            int t = steps[j];
            var mu = lambda.Select((l, i) => lr * l * (1 - Math.Pow(r[i], 2 * t)) / (1 - r[i] * r[i])).ToArray();
            Assert.True(mu.All(m => Math.Abs(m - lambdaStar) > 1e-6 * lambdaStar), "a mode sits on the threshold");
            double share = mu.Select((m, i) => m >= lambdaStar ? c[i] * c[i] : 0).Sum() / total;
            double phi = r.Select((ri, i) => c[i] * c[i] * (1 - Math.Pow(ri, t))).Sum() / total;
            Assert.Equal(share, timeline.ChannelShare[j], 10);
            Assert.Equal(phi, timeline.Fitted[j], 10);
            Assert.Equal(mu.Count(m => m >= lambdaStar), timeline.ChannelDimensions[j]);
        }
    }

    [Fact]
    public void ARunWithMomentumIsRefused()
    {
        var index = new SnapshotIndex
        {
            Loss = LossKind.HalfMse,
            Momentum = new MomentumModel("heavy-ball", 0.9, 1, 0),
        };
        var e = Assert.Throws<ArgumentException>(() => NoiseTimeline.Compute([], index, zeros(1), []));
        Assert.Contains("momentum-free", e.Message);
    }
}
