using System.Diagnostics;
using System.Text.Json;
using Tangent.Commands;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Training;

/// <summary>Interrupted runs resume bit for bit; the population-risk estimate is unbiased where THEORY §5 says it is;
/// drift ~ T, diffusion ~ √T.</summary>
public class ResumeAndEstimatesTests
{
    private static readonly TrainConfig Minibatch = new()
    {
        Task = new TaskConfig
        {
            Kind = "teacher",
            TrainSamples = 64,
            TestSamples = 32,
            Dimension = 6,
            Outputs = 2,
            NoiseStd = 0.2,
        },
        Model = new MlpConfig
        {
            Widths = [6, 32, 2],
            Activation = Activation.Tanh,
            BiasStd = 0.1,
        },
        Optimizer = new OptimizerConfig
        {
            Kind = OptimizerKind.SnrAdamW,
            Lr = 0.01,
            WeightDecay = 0.01,
            Schedule = ScheduleKind.Cosine,
            WarmupSteps = 10,
        },
        Steps = 120,
        BatchSize = 16,
        LogEvery = 10,
        CheckpointEvery = 25,
        DriftDiffusion = true,
        Record = new RecordConfig { Schedule = "every", Every = 30 },
    };

    private static double[] FinalParameters(string run) =>
        Directory
            .GetFiles(Path.Combine(run, "params"), "*.npy")
            .Order(StringComparer.Ordinal)
            .SelectMany(f => Npy.Read(f).Data)
            .ToArray();

    private static string Uninterrupted(TempDir dir, TrainConfig config)
    {
        var run = RunDirectory.Create(dir.File("straight"), "train", config, config.Seed, false);
        TrainRun.Run(config, run);
        run.Complete();
        return run.Path;
    }

    [Fact]
    public void InterruptedRunResumesBitForBit()
    {
        using var dir = new TempDir();
        string straight = Uninterrupted(dir, Minibatch);
        var run = RunDirectory.Create(dir.File("broken"), "train", Minibatch, Minibatch.Seed, false);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            TrainRun.Run(Minibatch, run, control: new TrainerControl { InterruptAt = 87 })
        );
        run.Fail("interrupted");
        TrainRun.Resume(run.Path);
        Assert.Equal(FinalParameters(straight), FinalParameters(run.Path));
        Assert.Equal(
            File.ReadAllText(Path.Combine(straight, "metrics.csv")),
            File.ReadAllText(Path.Combine(run.Path, "metrics.csv"))
        );
        Assert.Equal(
            File.ReadAllText(Path.Combine(straight, MetricsTable.GatesFile)),
            File.ReadAllText(Path.Combine(run.Path, MetricsTable.GatesFile))
        );
        Assert.Equal(
            File.ReadAllText(Path.Combine(straight, "snapshots", "index.json")),
            File.ReadAllText(Path.Combine(run.Path, "snapshots", "index.json"))
        );
        Assert.Equal(RunStatus.Done, RunDirectory.Inspect(run.Path).Status);
    }

    /// <summary>
    /// SnrAdamW's gate per tensor against its overall mean: the size-weighted mean of the per-tensor means is the mean
    /// gate over all parameters, and the same for the gated-off shares, at every logged step; metrics.csv and
    /// layer_gates.csv read back to the metrics the trainer returned.
    /// </summary>
    [Fact]
    public void TheGatesPerTensorAverageToTheMeanGate()
    {
        using var dir = new TempDir();
        var config = Minibatch with { Record = null, CheckpointEvery = 0, DriftDiffusion = false };
        var run = RunDirectory.Create(dir.File("r"), "train", config, config.Seed, false);
        var result = Runner.Run(new RunSpec { Config = config }, run);
        result.Model.Dispose();
        var metrics = result.Metrics;
        run.Complete();
        using var model = new Mlp(config.Model, Seeds.Generator(1));
        var sizes = model.parameters().Select(p => (double)p.numel()).ToArray();
        var logged = metrics.Where(m => m.Step > 0).ToList();
        Assert.NotEmpty(logged);
        foreach (var m in logged)
        {
            Assert.Equal(sizes.Length, m.Gates!.Mean.Count);
            Assert.Equal(m.MeanGate!.Value, sizes.Select((s, i) => s * m.Gates.Mean[i]).Sum() / sizes.Sum(), 12);
            Assert.Equal(m.GatedOffShare!.Value, sizes.Select((s, i) => s * m.Gates.Off[i]).Sum() / sizes.Sum(), 12);
        }
        Assert.Null(metrics[0].Gates); // before the first step there is no gate
        Assert.Equal(metrics, MetricsTable.Read(run.Path));
    }

    /// <summary>
    /// risk_every = k against the every-step estimate of the same run (the estimate does not change training): logged
    /// after step t's increment, R̂_t = L(w₀) + k Σ_{s ≤ t, s ≡ 0 (mod k)} δ_s, with the increments
    /// δ_s = R̂_s − R̂_{s−1} (δ₀ = R̂₀ − L(w₀)) read off the every-step run's log.
    /// </summary>
    [Fact]
    public void ARiskEstimateOnEveryKthStepIsItsIncrementsTimesK()
    {
        const int k = 4;
        var config = Minibatch with
        {
            Record = null,
            CheckpointEvery = 0,
            DriftDiffusion = false,
            Steps = 40,
            LogEvery = 1,
        };
        TrainingMetrics[] Train(TrainConfig c)
        {
            using var dir = new TempDir();
            var run = RunDirectory.Create(dir.File("r"), "train", c, c.Seed, false);
            var result = Runner.Run(new RunSpec { Config = c }, run);
            result.Model.Dispose();
            return [.. result.Metrics];
        }
        var every = Train(config);
        var sparse = Train(config with { RiskEvery = k });
        Assert.Equal(every.Select(m => m.TrainLoss), sparse.Select(m => m.TrainLoss));
        var r = every.Select(m => m.RiskEstimate!.Value).ToArray();
        double start = every[0].TrainLoss;
        for (int t = 0; t <= config.Steps; t++)
        {
            double expected = start;
            for (int s = 0; s <= t; s += k)
                expected += k * (r[s] - (s == 0 ? start : r[s - 1]));
            Assert.Equal(expected, sparse[t].RiskEstimate!.Value, 12);
        }
        Assert.NotEqual(r[^1], sparse[^1].RiskEstimate!.Value);
    }

    [Fact]
    public void InterruptWritesACheckpointAtTheInterruptedStep()
    {
        using var dir = new TempDir();
        var config = Minibatch with { CheckpointEvery = 1000, Record = null };
        var run = RunDirectory.Create(dir.File("r"), "train", config, config.Seed, false);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            TrainRun.Run(config, run, control: new TrainerControl { InterruptAt = 57 })
        );
        run.Fail("interrupted");
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(run.Path, "checkpoint", "state.json")));
        Assert.Equal(57, state.RootElement.GetProperty("next_step").GetInt32());
        string straight = Uninterrupted(dir, config);
        TrainRun.Resume(run.Path);
        Assert.Equal(FinalParameters(straight), FinalParameters(run.Path));
    }

    [Fact]
    public void KilledTrainProcessResumesBitForBit()
    {
        using var dir = new TempDir();
        var config = Minibatch with { Steps = 3000, CheckpointEvery = 40, Record = null, DriftDiffusion = false };
        string straight = Uninterrupted(dir, config);
        File.WriteAllText(dir.File("config.json"), Json.Serialize(config));
        string outDir = dir.File("killed");
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            var a in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "Tangent.Cli.dll"),
                "train",
                "--config",
                dir.File("config.json"),
                "--out",
                outDir,
            }
        )
            psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!)
        {
            var clock = Stopwatch.StartNew();
            while (!Checkpoint.Exists(outDir) && clock.Elapsed < TimeSpan.FromSeconds(90) && !p.HasExited)
                Thread.Sleep(20);
            Assert.True(Checkpoint.Exists(outDir), "no checkpoint appeared");
            Thread.Sleep(150); // somewhere between checkpoints, maybe while writing one
            if (!p.HasExited)
                p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        // killed mid-run, recognised as interrupted
        Assert.Equal(RunStatus.Failed, RunDirectory.Inspect(outDir).Status);
        TrainRun.Resume(outDir);
        Assert.Equal(FinalParameters(straight), FinalParameters(outDir));
    }

    [Fact]
    public void ResumingAFinishedRunIsRefused()
    {
        using var dir = new TempDir();
        string straight = Uninterrupted(dir, Minibatch with { Steps = 30, Record = null });
        var e = Assert.Throws<ConfigException>(() => TrainRun.Resume(straight));
        Assert.Equal("RUN", e.Field);
    }

    /// <summary>
    /// Online least squares (fresh Gaussian batches every step, x ~ N(0, I_d), y = βᵀx + ε): the estimate R̂_T,
    /// started from the first batch's loss, against the true population risk ½(‖w_T − β‖² + σ²), over 400
    /// seeds. Unbiased to first order in η: the mean difference must lie within 3 standard errors (η is small enough
    /// that the O(η²) term is below that).
    /// </summary>
    [Fact]
    public void RiskEstimateIsUnbiasedForFreshBatches()
    {
        using var scope = NewDisposeScope();
        const int d = 5,
            b = 8,
            steps = 40,
            seeds = 400;
        const double lr = 0.02,
            sigma2 = 0.25;
        var differences = new double[seeds];
        for (int seed = 0; seed < seeds; seed++)
        {
            using var inner = NewDisposeScope();
            var g = new Generator((ulong)seed + 1);
            var beta = randn(new long[] { d, 1 }, dtype: ScalarType.Float64, generator: g);
            var model = new Mlp(
                new MlpConfig
                {
                    Widths = [d, 1],
                    Activation = Activation.Identity,
                    Bias = false,
                    Parameterization = Parameterization.Standard,
                },
                g
            );
            var w = model.parameters().Single();
            double estimate = double.NaN;
            for (int t = 0; t < steps; t++)
            {
                using var step = NewDisposeScope();
                var x = randn(new long[] { b, d }, dtype: ScalarType.Float64, generator: g);
                var y =
                    x.matmul(beta)
                    + Math.Sqrt(sigma2) * randn(new long[] { b, 1 }, dtype: ScalarType.Float64, generator: g);
                Func<Tensor, Tensor> loss = u => 0.5 * (u - y).square().sum(1);
                var moments = GradientStatistics.Compute(model, x, loss).Single();
                if (t == 0)
                    using (no_grad())
                        estimate = loss(model.call(x)).mean().item<double>();
                estimate -= lr * moments.UnbiasedSquaredMean().sum().item<double>();
                using (no_grad())
                    w.sub_(lr * moments.Mean());
            }
            double truth = 0.5 * ((w.detach().T - beta).square().sum().item<double>() + sigma2);
            differences[seed] = estimate - truth;
        }
        double mean = differences.Average();
        double se = Math.Sqrt(differences.Sum(v => (v - mean) * (v - mean)) / (seeds - 1) / seeds);
        Assert.True(Math.Abs(mean) < 3 * se, $"mean difference {mean:E3} with standard error {se:E3}");
    }

    /// <summary>
    /// Small-step minibatch SGD on a least-squares task, far from convergence: the accumulated full-batch part grows ~T
    /// and the fluctuation part ~√T (THEORY §4); fitted log–log exponents within 0.15 of 1 and 0.5.
    /// </summary>
    [Fact]
    public void DriftGrowsLikeTAndDiffusionLikeRootT()
    {
        using var dir = new TempDir();
        var config = new TrainConfig
        {
            Task = new TaskConfig
            {
                Kind = "linear-teacher",
                TrainSamples = 512,
                TestSamples = 16,
                Dimension = 10,
                Outputs = 1,
                NoiseStd = 1.0,
            },
            Model = new MlpConfig
            {
                Widths = [10, 1],
                Activation = Activation.Identity,
                Parameterization = Parameterization.Standard,
                WeightStd = 3.0,
            },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Sgd, Lr = 1e-4 },
            Steps = 800,
            BatchSize = 4,
            LogEvery = 20,
            DriftDiffusion = true,
            RiskEstimate = false,
        };
        var run = RunDirectory.Create(dir.File("run"), "train", config, 0, false);
        var summary = TrainRun.Run(config, run).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.InRange((double)summary["drift_exponent"]!, 0.85, 1.15);
        Assert.InRange((double)summary["diffusion_exponent"]!, 0.35, 0.65);
    }
}
