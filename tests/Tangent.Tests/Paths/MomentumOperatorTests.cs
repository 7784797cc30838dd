using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Paths;

/// <summary>
/// The momentum-aware path operators (THEORY §2, "Momentum") against the real training run of a model linear in its
/// parameters, where the kernel is exactly constant and the output-space recurrence h_t = a h_{t−1} + b K g_t is
/// exact; and against an explicit step-by-step loop of that recurrence.
/// </summary>
public class MomentumOperatorTests
{
    private static readonly TrainConfig Linear = PathOperatorTests.Linear with
    {
        Optimizer = new OptimizerConfig
        {
            Kind = OptimizerKind.Sgd,
            Lr = 0.05,
            Momentum = 0.9,
        },
    };

    private static string Train(TempDir dir, TrainConfig config)
    {
        var run = RunDirectory.Create(dir.File("run"), "train", config, config.Seed, overwrite: false);
        TrainRun.Run(config, run);
        run.Complete();
        return run.Path;
    }

    private static void AssertExact(PathAnalysisResult r)
    {
        Assert.True(r.DirectTrainRelativeError < 1e-8, $"ΔU_S = −D̂ z(s): {r.DirectTrainRelativeError:E2}");
        Assert.True(r.DirectTestRelativeError < 1e-8, $"ΔU_Q = −Ĝ z(s): {r.DirectTestRelativeError:E2}");
        double discrete = Math.Abs(r.LossPredictedDiscrete - r.LossDecrease) / r.LossDecrease;
        Assert.True(discrete < 1e-8, $"discrete loss identity −z_sᵀ Ŵ̃ z_s: {discrete:E2}");
        Assert.DoesNotContain(r.Approximations, a => a.StartsWith("WARNING"));
    }

    /// <summary>
    /// Heavy-ball SGD (μ = 0.9, PyTorch's convention) on a linear model: the train and test motions, the loss
    /// identity and, from a window starting mid-run, the recorded momentum images h_S, h_Q all reproduce the run to
    /// rounding (1e-8 relative).
    /// </summary>
    [Fact]
    public void HeavyBallMomentumOnALinearModelIsExact()
    {
        using var dir = new TempDir();
        string run = Train(dir, Linear);
        AssertExact(AnalyzeRun.Run(run, new AnalyzeOptions()).Result);
        AssertOperatorsArePropagatedStepByStep(run, Linear.Optimizer.Lr, 0.9, Linear.Steps);
        // Mid-run the momentum buffer is far from zero: the start blocks D_h, G_h, G_hQ carry it.
        var mid = AnalyzeRun.Run(run, new AnalyzeOptions { Start = 100, End = 400 }).Result;
        AssertExact(mid);
        Assert.True(mid.PathCouplingRelativeError < 1e-6, $"path coupling {mid.PathCouplingRelativeError:E2}");
    }

    /// <summary>
    /// analysis/D.npy and G_Q.npy against step-by-step propagation of the momentum recurrence from g(s) = column
    /// e_j, h = 0, with the run's constant kernel (½-MSE: B = I/n): D = η Σ_t h_t, G_Q = η Σ_t h^Q_t, to 1e-8.
    /// </summary>
    private static void AssertOperatorsArePropagatedStepByStep(string run, double lr, double mu, int steps)
    {
        using var scope = NewDisposeScope();
        var kss = Tensor(Npy.Read(Path.Combine(Snapshot.Directory(run, 0), "K_SS.npy")));
        var kqs = Tensor(Npy.Read(Path.Combine(Snapshot.Directory(run, 0), "K_QS.npy")));
        var d = Tensor(Npy.Read(Path.Combine(run, "analysis", "D.npy")));
        var gq = Tensor(Npy.Read(Path.Combine(run, "analysis", "G_Q.npy")));
        long rows = kss.shape[0],
            samples = Linear.Task.TrainSamples;
        Tensor g = eye(rows, dtype: ScalarType.Float64),
            h = zeros_like(g),
            hq = zeros(kqs.shape[0], rows, dtype: ScalarType.Float64),
            sumS = zeros_like(g),
            sumQ = zeros_like(hq);
        for (int t = 0; t < steps; t++)
        {
            h = mu * h + kss.matmul(g);
            hq = mu * hq + kqs.matmul(g);
            sumS = sumS + lr * h;
            sumQ = sumQ + lr * hq;
            g = g - lr / samples * h;
        }
        double Rel(Tensor a, Tensor b) => (a - b).norm().item<double>() / b.norm().item<double>();
        Assert.True(Rel(d, sumS) < 1e-8, $"D.npy against step-by-step propagation: {Rel(d, sumS):E2}");
        Assert.True(Rel(gq, sumQ) < 1e-8, $"G_Q.npy against step-by-step propagation: {Rel(gq, sumQ):E2}");
    }

    private static Tensor Tensor(NpyArray a) => tensor(a.Data, a.Shape, dtype: ScalarType.Float64);

    /// <summary>
    /// Adam (β₁ = 0.9, bias-corrected) on a linear model with a snapshot before every step: each one-step segment,
    /// started from its recorded g and h = J M m with that step's preconditioner, reproduces the run's motion to
    /// rounding through the steps whose bias correction differs from 1. Over a window of several steps the
    /// preconditioner moves (v changes every step) while the operators hold it frozen between snapshots, so there the
    /// direct checks are approximate, and with snapshots 5 steps apart the segments are too: the per-segment
    /// residuals say so.
    /// </summary>
    [Fact]
    public void AdamOnALinearModelIsExactSegmentBySegment()
    {
        using var dir = new TempDir();
        var config = Linear with
        {
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, Lr = 0.01 },
            Steps = 40,
            Record = new RecordConfig { Schedule = "every", Every = 1 },
        };
        var r = AnalyzeRun.Run(Train(dir, config), new AnalyzeOptions()).Result;
        Assert.Equal("adam momentum", r.Dynamics);
        Assert.Equal(40, r.SegmentResiduals.Count);
        Assert.All(r.SegmentResiduals, x => Assert.True(x.Train < 1e-8 && x.Test < 1e-8, $"{x}"));
        using var dir5 = new TempDir();
        var sparse = AnalyzeRun
            .Run(
                Train(
                    dir5,
                    config with
                    {
                        Record = new RecordConfig { Schedule = "every", Every = 5 },
                    }
                ),
                new AnalyzeOptions()
            )
            .Result;
        Assert.Contains(sparse.SegmentResiduals, x => x.Train > 1e-6);
    }

    /// <summary>
    /// SnrAdamW (soft and hard gates, no weight decay) on a linear model with a snapshot before every step: the gate q
    /// of each step is folded into the recorded kernel J (q ⊙ M) Jᵀ and the momentum image J (q ⊙ M) m, so each
    /// one-step segment reproduces the run's motion to rounding (1e-8; the first step's motion is below float64's
    /// resolution, see the comment). The gates really act (mean gate below 0.9 on
    /// some step), so ignoring q — the kernel of Adam's M alone — would miss.
    /// </summary>
    [Theory]
    [InlineData(GateKind.Soft)]
    [InlineData(GateKind.Hard)]
    public void SnrAdamWOnALinearModelIsExactSegmentBySegmentWithItsGateInTheKernel(GateKind gate)
    {
        using var dir = new TempDir();
        var config = Linear with
        {
            Optimizer = new OptimizerConfig
            {
                Kind = OptimizerKind.SnrAdamW,
                Lr = 0.01,
                WeightDecay = 0,
                Gate = gate,
            },
            Steps = 40,
            LogEvery = 1,
            Record = new RecordConfig { Schedule = "every", Every = 1 },
        };
        string run = Train(dir, config);
        Assert.Contains(MetricsTable.Read(run), m => m.MeanGate < 0.9);
        var r = AnalyzeRun.Run(run, new AnalyzeOptions()).Result;
        Assert.Equal("adam momentum", r.Dynamics);
        Assert.Equal(40, r.SegmentResiduals.Count);
        // The first step's soft and hard gates are 0 in exact arithmetic (m̂² = ŝ = g²): a motion far below the
        // outputs' float64 resolution, which that segment's residual is measured against.
        Assert.True(
            r.SegmentResiduals[0].Train < 1e-4 && r.SegmentResiduals[0].Test < 1e-4,
            $"{r.SegmentResiduals[0]}"
        );
        Assert.All(r.SegmentResiduals.Skip(1), x => Assert.True(x.Train < 1e-8 && x.Test < 1e-8, $"{x}"));
    }

    /// <summary>With heavy-ball momentum and a constant kernel every segment is exact too (the preconditioner is
    /// 1).</summary>
    [Fact]
    public void HeavyBallSegmentsAreExact()
    {
        using var dir = new TempDir();
        var r = AnalyzeRun.Run(Train(dir, Linear), new AnalyzeOptions()).Result;
        Assert.Equal(12, r.SegmentResiduals.Count);
        Assert.All(r.SegmentResiduals, x => Assert.True(x.Train < 1e-8 && x.Test < 1e-8, $"{x}"));
    }

    /// <summary>
    /// The momentum-free operators on the momentum run: path coupling still reads as exact (on a linear model G_Q D⁺
    /// = K_QS K⁺ whatever the time profile), but the direct motion check misses by far more than a few percent and
    /// the analysis warns — the check that catches a wrong dynamics model.
    /// </summary>
    [Fact]
    public void MomentumFreeOperatorsOnAMomentumRunAreFlaggedByTheDirectChecks()
    {
        using var dir = new TempDir();
        string run = Train(dir, Linear);
        var r = AnalyzeRun.Run(run, new AnalyzeOptions { MomentumFree = true }).Result;
        Assert.True(r.PathCouplingRelativeError < 1e-6, $"path coupling {r.PathCouplingRelativeError:E2}");
        Assert.True(r.DirectTrainRelativeError > 0.1, $"direct train check {r.DirectTrainRelativeError:P1}");
        Assert.Contains(r.Approximations, a => a.StartsWith("WARNING") && a.Contains("momentum-free"));
        Assert.Contains(r.Approximations, a => a.StartsWith("momentum-free operators"));
    }

    /// <summary>
    /// D̂, Ĝ and Ŵ̃ from <see cref="PathOperators.Compute"/> (bias-corrected steps one at a time, then repeated
    /// squaring, over two segments with different kernels) equal an explicit loop of the recurrence h_t = β₁
    /// h_{t−1} + (1 − β₁) K g_t, g_{t+1} = g_t − η c_t B h_t applied to a random start state, to 1e-10
    /// relative.
    /// </summary>
    [Fact]
    public void MomentumOperatorsMatchTheRecurrenceStepByStep()
    {
        using var scope = NewDisposeScope();
        using var gen = manual_seed(11);
        int n = 6,
            m = 4,
            p = 1;
        Tensor Psd(int rows)
        {
            var x = randn(rows + m, 9, dtype: ScalarType.Float64);
            return x.matmul(x.T);
        }
        var k0 = Psd(n);
        var k1 = Psd(n);
        Snapshot At(int step, double lr, Tensor full) =>
            new(
                step,
                lr,
                full[TensorIndex.Slice(0, n), TensorIndex.Slice(0, n)],
                full[TensorIndex.Slice(n, n + m), TensorIndex.Slice(0, n)],
                zeros(n, p, dtype: ScalarType.Float64),
                zeros(m, p, dtype: ScalarType.Float64)
            );
        // Two segments: 300 steps (bias correction ≠ 1 up to step ~370: one at a time) and 600 (both ways).
        var window = new List<Snapshot> { At(0, 0.02, k0), At(300, 0.03, k1), At(900, 0.03, k1) };
        var model = new MomentumModel("adam", 0.9, 0.1, 0.9);
        using var ops = PathOperators.Compute(window, LossKind.HalfMse, traced: false, outputs: p, momentum: model);
        Assert.NotNull(ops.Momentum);
        var g0 = randn(n, 1, dtype: ScalarType.Float64);
        var h0 = randn(n, 1, dtype: ScalarType.Float64);
        var hq0 = randn(m, 1, dtype: ScalarType.Float64);
        // The explicit loop.
        Tensor g = g0,
            h = h0,
            hq = hq0,
            dUs = zeros(n, 1, dtype: ScalarType.Float64),
            dUq = zeros(m, 1, dtype: ScalarType.Float64);
        double lossDrop = 0;
        for (int s = 0; s + 1 < window.Count; s++)
        for (long t = window[s].Step; t < window[s + 1].Step; t++)
        {
            double lr = window[s].LearningRate,
                c = 1 / (1 - Math.Pow(0.9, t + 1));
            h = 0.9 * h + 0.1 * window[s].Kss.matmul(g);
            hq = 0.9 * hq + 0.1 * window[s].Kqs.matmul(g);
            var du = -lr * c * h;
            // ½-MSE on n points: L = ‖U − Y‖²/(2n), g = (U − Y)/n, B = I/n; exact quadratic decrease.
            lossDrop -= (g * du).sum().item<double>() + 0.5 / n * du.square().sum().item<double>();
            dUs = dUs + du;
            dUq = dUq - lr * c * hq;
            g = g + du / n;
        }
        var predictedS = -(ops.Displacement.matmul(g0) + ops.Momentum!.Displacement.matmul(h0));
        var predictedQ = -(
            ops.Transfer.matmul(g0) + ops.Momentum.Transfer.matmul(h0) + ops.Momentum.QueryTransfer.matmul(hq0)
        );
        var z = MomentumStart.State(g0, h0, hq0, m);
        double predictedDrop = (z * ops.Momentum.DiscreteGramian.matmul(z)).sum().item<double>();
        double Rel(Tensor a, Tensor b) => (a - b).norm().item<double>() / b.norm().item<double>();
        Assert.True(Rel(predictedS, dUs) < 1e-10, $"train motion {Rel(predictedS, dUs):E2}");
        Assert.True(Rel(predictedQ, dUq) < 1e-10, $"test motion {Rel(predictedQ, dUq):E2}");
        Assert.True(
            Math.Abs(predictedDrop - lossDrop) < 1e-10 * Math.Abs(lossDrop),
            $"loss {predictedDrop} vs {lossDrop}"
        );
        foreach (var w in window)
            w.Dispose();
    }
}
