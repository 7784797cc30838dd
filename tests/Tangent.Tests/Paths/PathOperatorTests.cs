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
/// The path operators on recorded runs: exact identities on a model linear in its parameters (the kernel is frozen),
/// and the operators' structural properties on a ReLU network.
/// </summary>
public class PathOperatorTests
{
    private static PathAnalysisResult TrainAndAnalyze(TempDir dir, TrainConfig config, AnalyzeOptions? options = null)
    {
        var run = RunDirectory.Create(dir.File("run"), "train", config, config.Seed, overwrite: false);
        TrainRun.Run(config, run);
        run.Complete();
        return AnalyzeRun.Run(run.Path, options ?? new AnalyzeOptions()).Result;
    }

    /// <summary>A model linear in its parameters on a linear teacher (its kernel is exactly constant).</summary>
    internal static readonly TrainConfig Linear = new()
    {
        Task = new TaskConfig
        {
            Kind = "linear-teacher",
            TrainSamples = 20,
            TestSamples = 15,
            Dimension = 30,
            Outputs = 2,
            NoiseStd = 0.3,
        },
        Model = new MlpConfig
        {
            Widths = [30, 2],
            Activation = Activation.Identity,
            BiasStd = 0.5,
        },
        Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 0.2 },
        Steps = 600,
        LogEvery = 50,
        Record = new RecordConfig { Schedule = "every", Every = 50 },
    };

    /// <summary>
    /// THEORY §2 "Discrete time": on a model linear in its parameters with ½-MSE, D, G_Q and the discrete Gramian are
    /// exact, ΔU_S = −D g(s), the loss identity holds with K − ½ηKBK, and path coupling holds to rounding (D⁺
    /// cutoff 1e-12).
    /// </summary>
    [Fact]
    public void LinearModelSatisfiesTheIdentitiesToRounding()
    {
        using var dir = new TempDir();
        var r = TrainAndAnalyze(dir, Linear);
        Assert.True(r.DirectTrainRelativeError < 1e-8, $"ΔU_S = −D g: {r.DirectTrainRelativeError:E2}");
        Assert.True(r.DirectTestRelativeError < 1e-8, $"ΔU_Q = −G_Q g: {r.DirectTestRelativeError:E2}");
        Assert.True(r.PathCouplingRelativeError < 1e-8, $"path coupling: {r.PathCouplingRelativeError:E2}");
        Assert.True(r.PathCouplingCorrelation > 1 - 1e-12);
        double discrete = Math.Abs(r.LossPredictedDiscrete - r.LossDecrease) / r.LossDecrease;
        Assert.True(discrete < 1e-8, $"discrete loss identity: {discrete:E2}");
        Assert.True(r.KernelDriftFrobenius < 1e-12, "a linear model's kernel does not move");
    }

    /// <summary>The flow-form Gramian differs from the discrete one by O(η): halving η must shrink the gap about
    /// twofold.</summary>
    [Fact]
    public void FlowFormLossIdentityErrorIsFirstOrderInTheStepSize()
    {
        using var dir1 = new TempDir();
        using var dir2 = new TempDir();
        var a = TrainAndAnalyze(
            dir1,
            Linear with
            {
                Steps = 300,
                Record = new RecordConfig { Schedule = "every", Every = 300 },
            }
        );
        var b = TrainAndAnalyze(
            dir2,
            Linear with
            {
                Optimizer = Linear.Optimizer with { Lr = 0.1 },
                Steps = 600,
                Record = new RecordConfig { Schedule = "every", Every = 600 },
            }
        );
        double ea = Math.Abs(a.LossPredictedFlow - a.LossDecrease) / a.LossDecrease;
        double eb = Math.Abs(b.LossPredictedFlow - b.LossDecrease) / b.LossDecrease;
        Assert.InRange(ea / eb, 1.6, 2.6);
    }

    /// <summary>
    /// On a ReLU network: W_S is symmetric PSD; test invisibility, ker W_S ⊆ ker G_Q, holds for the numerically null
    /// directions; the snapshot-spacing table is reported; the four cells partition the noise.
    /// </summary>
    [Fact]
    public void ReluNetworkOperatorsHaveTheirStructuralProperties()
    {
        using var dir = new TempDir();
        var config = new TrainConfig
        {
            Task = new TaskConfig
            {
                Kind = "sine",
                TrainSamples = 24,
                TestSamples = 30,
                NoiseStd = 0.2,
            },
            Model = new MlpConfig
            {
                Widths = [1, 64, 1],
                WeightStd = 1.0,
                BiasStd = 1.0,
            },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 0.1 },
            Steps = 800,
            Record = new RecordConfig { Schedule = "log", Count = 20 },
        };
        var r = TrainAndAnalyze(dir, config);
        Assert.True(r.GramianEigenvalues[^1] > -1e-9 * r.GramianEigenvalues[0], "W_S is PSD");
        double maxTransfer = r.TransferNorms.Max();
        for (int i = 0; i < r.GramianEigenvalues.Length; i++)
            if (r.GramianEigenvalues[i] < 1e-12 * r.GramianEigenvalues[0])
                Assert.True(
                    r.TransferNorms[i] < 1e-5 * maxTransfer,
                    $"null direction {i} transfers {r.TransferNorms[i]:E2}"
                );
        Assert.NotNull(r.Cells);
        Assert.Equal(1.0, r.Cells!.NoiseChannelShare + r.Cells.NoiseReservoirShare, 10);
        Assert.True(r.SpacingConvergence.Count >= 3);
        Assert.True(r.PathCouplingCorrelation > 0.9, $"corr {r.PathCouplingCorrelation}");
        Assert.NotNull(r.Frozen);
    }

    /// <summary>A query subset Q′ is exact for its points: the linear-model identities still hold to
    /// rounding.</summary>
    [Fact]
    public void QuerySubsetKeepsTheIdentitiesExact()
    {
        using var dir = new TempDir();
        var r = TrainAndAnalyze(
            dir,
            Linear with
            {
                Record = new RecordConfig
                {
                    Schedule = "every",
                    Every = 100,
                    MaxQuery = 6,
                },
            }
        );
        Assert.Equal(6 * 2, r.ActualTestMotion.Length);
        Assert.True(r.PathCouplingRelativeError < 1e-8, $"path coupling: {r.PathCouplingRelativeError:E2}");
        Assert.Contains(r.Approximations, a => a.Contains("query subset"));
    }

    /// <summary>A training subset S′ is a Monte-Carlo approximation of S: the analysis runs, says so, and is no
    /// longer exact.</summary>
    [Fact]
    public void TrainingSubsetIsReportedAsAnApproximation()
    {
        using var dir = new TempDir();
        var r = TrainAndAnalyze(
            dir,
            Linear with
            {
                Record = new RecordConfig
                {
                    Schedule = "every",
                    Every = 100,
                    MaxTrain = 12,
                },
            }
        );
        Assert.Equal(12 * 2, r.GramianEigenvalues.Length);
        Assert.Contains(r.Approximations, a => a.Contains("Monte-Carlo"));
        Assert.True(r.DirectTrainRelativeError > 1e-6, "with S′ ⊂ S the dynamics on S′ are not closed");
    }

    /// <summary>A cancelled analysis stops between segments and writes nothing into the run.</summary>
    [Fact]
    public void ACancelledAnalysisWritesNothing()
    {
        using var dir = new TempDir();
        var config = Linear with
        {
            Record = new RecordConfig { Schedule = "every", Every = 100 },
        };
        var run = RunDirectory.Create(dir.File("run"), "train", config, config.Seed, overwrite: false);
        TrainRun.Run(config, run);
        run.Complete();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            AnalyzeRun.Run(run.Path, new AnalyzeOptions(), cancel: cts.Token)
        );
        Assert.False(Directory.Exists(Path.Combine(run.Path, "analysis")));
        Assert.Equal(RunStatus.Done, RunDirectory.Inspect(run.Path).Status); // the trained run itself is untouched
    }

    [Fact]
    public void BadWindowNamesTheOption()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("run"), "train", Linear, 0, false);
        TrainRun.Run(Linear, run);
        run.Complete();
        var e = Assert.Throws<ConfigException>(() =>
            AnalyzeRun.Run(run.Path, new AnalyzeOptions { Start = 3, End = 100 })
        );
        Assert.Equal("--window", e.Field);
    }
}
