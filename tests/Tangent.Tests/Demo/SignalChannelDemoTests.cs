using System.Text.Json;
using Tangent.Demo;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Demo;

/// <summary>The demo's measurements obey the first-order output dynamics of THEORY §1 and are reproducible.</summary>
public class SignalChannelDemoTests
{
    private static readonly DemoConfig Small = new()
    {
        Steps = 400,
        Checkpoints = 8,
        LogEvery = 50,
    };

    /// <summary>
    /// One GD step moves the outputs by ΔU_S = −η K_SS g and ΔU_Q = −η K_QS g with g = (U_S − Y)/n, up to the
    /// O(η²) curvature term: with η = 1e-4 the relative error must be ≲ 1e-3.
    /// </summary>
    [Fact]
    public void OneStepOutputMotionIsKernelTimesOutputGradient()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(2);
        var model = new ScaledMlp(1, 80, 1, g);
        var x = linspace(-2.5, 2.5, 30, dtype: ScalarType.Float64).unsqueeze(1);
        var q = linspace(-2.4, 2.4, 17, dtype: ScalarType.Float64).unsqueeze(1);
        var y = sin(1.7 * x) * 0.9;
        var (kss, kqs) = EmpiricalNtk.Compute(model, x, q);
        Tensor u0,
            uq0;
        using (no_grad())
        {
            u0 = model.call(x).reshape(-1);
            uq0 = model.call(q).reshape(-1);
        }
        var grad = (u0 - y.reshape(-1)) / 30;
        const double lr = 1e-4;
        var opt = optim.SGD(model.parameters(), lr);
        opt.zero_grad();
        HalfMse.Loss(model.call(x), y).backward();
        opt.step();
        Tensor u1,
            uq1;
        using (no_grad())
        {
            u1 = model.call(x).reshape(-1);
            uq1 = model.call(q).reshape(-1);
        }
        var predictedS = -lr * kss.matmul(grad);
        var predictedQ = -lr * kqs!.matmul(grad);
        double errS = ((u1 - u0) - predictedS).norm().item<double>() / predictedS.norm().item<double>();
        double errQ = ((uq1 - uq0) - predictedQ).norm().item<double>() / predictedQ.norm().item<double>();
        Assert.True(errS < 1e-3, $"train motion relative error {errS}");
        Assert.True(errQ < 1e-3, $"test motion relative error {errQ}");
    }

    /// <summary>
    /// Under GD on ½-MSE a channel mode i relaxes by (1 − ηλ_i/n) per step. With the default settings the smallest
    /// channel eigenvalue is ≳ 0.8, so after 20,000 steps channel modes have shrunk by ≲
    /// exp(−0.05·0.8·20000/30) ≈ e⁻²⁷ unless the kernel rotates: the residual must end almost entirely in
    /// the reservoir. A loose 1 % bound leaves room for kernel drift (≈ 14 % here).
    /// </summary>
    [Fact]
    public void TrainingEmptiesTheChannelOfTheResidual()
    {
        var r = SignalChannelDemo.Train(new DemoConfig());
        Assert.True(
            r.Checkpoints[0].ChannelShareResidual > 0.5,
            "at initialization the residual is mostly in the channel"
        );
        Assert.True(
            r.Checkpoints[^1].ChannelShareResidual < 0.01,
            $"final channel share {r.Checkpoints[^1].ChannelShareResidual}"
        );
        Assert.True(r.Checkpoints[^1].TrainMse < r.Checkpoints[0].TrainMse / 10);
    }

    [Fact]
    public void SameSeedGivesIdenticalMeasurements()
    {
        var a = SignalChannelDemo.Train(Small);
        var b = SignalChannelDemo.Train(Small);
        Assert.Equal(a.Checkpoints.Select(c => c.Eigenvalues), b.Checkpoints.Select(c => c.Eigenvalues));
        Assert.Equal(a.Curve, b.Curve);
        var c = SignalChannelDemo.Train(Small with { Seed = 1 });
        Assert.NotEqual(a.Curve, c.Curve);
    }

    [Fact]
    public void CheckpointsAreLogSpacedAndTheirSharesFollowFromTheirProjections()
    {
        var r = SignalChannelDemo.Train(Small);
        // Step 0, then round(400^(k/7)) for k = 0 … 7, counted by hand: 1, 2.35, 5.54, 13.0, 30.7, 72.2, 170, 400.
        Assert.Equal([0, 1, 2, 6, 13, 31, 72, 170, 400], r.Checkpoints.Select(c => c.Step).ToList());
        double noiseNorm = r.Checkpoints[0].NoiseProjections.Sum(v => v * v);
        foreach (var c in r.Checkpoints)
        {
            Assert.Equal(Small.TrainPoints, c.Eigenvalues.Length);
            // The channel is every eigenvalue at or above τ·λ_max.
            Assert.Equal(c.Eigenvalues.Count(l => l >= c.Threshold), c.ChannelSize);
            Assert.Equal(Small.ChannelThreshold * c.Eigenvalues.Max(), c.Threshold, 1e-12 * c.Threshold);
            // Parseval: the projections on the orthonormal eigenvectors carry the whole residual, ‖r‖² = n·MSE…
            double residualNorm = c.ResidualProjections.Sum(v => v * v);
            Assert.Equal(Small.TrainPoints * c.TrainMse, residualNorm, 1e-9 * residualNorm);
            // …and the whole (fixed) label noise at every checkpoint.
            Assert.Equal(noiseNorm, c.NoiseProjections.Sum(v => v * v), 1e-9 * noiseNorm);
            // The shares are the channel's part of those sums.
            double inChannel = c.ResidualProjections.Take(c.ChannelSize).Sum(v => v * v);
            Assert.Equal(inChannel / residualNorm, c.ChannelShareResidual, 1e-9);
            double noiseInReservoir = c.NoiseProjections.Skip(c.ChannelSize).Sum(v => v * v);
            Assert.Equal(noiseInReservoir / noiseNorm, c.ReservoirShareLabelNoise, 1e-9);
        }
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SignalChannelDemo.Train(Small, cancel: cts.Token));
    }

    [Fact]
    public void DivergenceIsReportedWithTheOptionToChange()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            SignalChannelDemo.Train(Small with { LearningRate = 50 })
        );
        Assert.Contains("--lr", e.Message);
    }

    [Fact]
    public void BadConfigNamesTheField()
    {
        var e = Assert.Throws<ConfigException>(() => (Small with { Checkpoints = 1 }).Validate());
        Assert.Equal("--checkpoints", e.Field);
    }
}
