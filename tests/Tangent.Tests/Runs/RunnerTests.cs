using Tangent.Data;
using Tangent.Models;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Runs;

/// <summary>The runner is the one way to train: arms are validated before any computes, finished arms are read back
/// exactly as they were trained, and code-made tasks are recorded under their own kind.</summary>
public class RunnerTests
{
    private static readonly TrainConfig Small = new()
    {
        Task = new TaskConfig
        {
            Kind = "teacher",
            TrainSamples = 12,
            TestSamples = 8,
            Dimension = 3,
            Outputs = 1,
        },
        Model = new MlpConfig { Widths = [3, 16, 1], Activation = Activation.Tanh },
        Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 0.1 },
        Steps = 30,
        LogEvery = 10,
        RiskEstimate = false,
        Record = new RecordConfig { Schedule = "every", Every = 10 },
    };

    private sealed class CountingProbe : ITrainingObserver
    {
        public int Steps { get; private set; }

        public void OnStep(TrainingState state) => Steps++;
    }

    [Fact]
    public void EveryArmIsValidatedBeforeTheFirstTrains()
    {
        using var dir = new TempDir();
        var parent = RunDirectory.Create(dir.File("study"), "test", new { }, 0, overwrite: false);
        var bad = Small with { Optimizer = Small.Optimizer with { Lr = -1 } };
        var e = Assert.Throws<ConfigException>(() =>
            Runner.RunArms(
                parent,
                [new Arm("first", new RunSpec { Config = Small }), new Arm("second", new RunSpec { Config = bad })]
            )
        );
        Assert.Equal("optimizer.lr", e.Field);
        Assert.False(Directory.Exists(Path.Combine(parent.Path, "first")), "the first arm must not have started");
    }

    [Fact]
    public void AFinishedArmIsReadBackAsTrainedAndAChangedConfigRetrains()
    {
        using var dir = new TempDir();
        var parent = RunDirectory.Create(dir.File("study"), "test", new { }, 0, overwrite: false);
        var arm = new Arm("a", new RunSpec { Config = Small, Analysis = new() });
        var first = Runner.RunArm(parent, arm);
        var started = RunDirectory.Inspect(first.Path).StartedUtc;
        var again = Runner.RunArm(parent, arm);

        Assert.False(first.Reused);
        Assert.True(again.Reused);
        Assert.Equal(started, RunDirectory.Inspect(again.Path).StartedUtc);
        Assert.Equal(first.Metrics, again.Metrics); // metrics.csv round-trips at full precision
        foreach (var (p, q) in first.Model.parameters().Zip(again.Model.parameters()))
            Assert.True(p.eq(q).all().item<bool>(), "reloaded parameters differ");
        Assert.Equal(first.Number("final_test_loss"), again.Number("final_test_loss"));
        Assert.Equal(first.Paths.PathCouplingRelativeError, again.Paths.PathCouplingRelativeError);

        var changed = Runner.RunArm(parent, arm with { Spec = arm.Spec with { Config = Small with { Steps = 20 } } });
        Assert.False(changed.Reused);
        Assert.Equal(20, changed.Final.Step);
    }

    [Fact]
    public void AnArmWithProbesIsTrainedAgainSoTheProbesSeeEveryStep()
    {
        using var dir = new TempDir();
        var parent = RunDirectory.Create(dir.File("study"), "test", new { }, 0, overwrite: false);
        Runner.RunArm(parent, new Arm("a", new RunSpec { Config = Small }));
        var probe = new CountingProbe();
        var result = Runner.RunArm(parent, new Arm("a", new RunSpec { Config = Small, Probes = [probe] }));
        Assert.False(result.Reused);
        Assert.Equal(Small.Steps + 1, probe.Steps); // steps 0..T, the last one after the final update
    }

    [Fact]
    public void ACodeMadeTaskIsRecordedAsProvidedWithItsArrays()
    {
        using var dir = new TempDir();
        var parent = RunDirectory.Create(dir.File("study"), "test", new { }, 0, overwrite: false);
        var provided = Small with
        {
            Task = Small.Task with { Kind = "provided", Description = "a line through the origin" },
        };
        Assert.Equal(
            "task.kind",
            Assert.Throws<ConfigException>(() => new RunSpec { Config = provided }.Validate()).Field
        );
        TaskData Line(nn.Module<Tensor, Tensor> _)
        {
            var x = linspace(-1, 1, 12, dtype: ScalarType.Float64).reshape(12, 1).expand(12, 3).contiguous();
            var q = linspace(-1, 1, 8, dtype: ScalarType.Float64).reshape(8, 1).expand(8, 3).contiguous();
            return new TaskData(x, x[.., ..1].clone(), x[.., ..1].clone(), q, q[.., ..1].clone());
        }
        var result = Runner.RunArm(parent, new Arm("line", new RunSpec { Config = provided, Task = Line }));
        var info = RunDirectory.Inspect(result.Path);
        Assert.Equal("provided", info.Config.GetProperty("task").GetProperty("kind").GetString());
        var ys = Npy.Read(Path.Combine(result.Path, "arrays", "Y_S.npy")).Data;
        Assert.Equal(linspace(-1, 1, 12, dtype: ScalarType.Float64).data<double>().ToArray(), ys);
    }

    [Fact]
    public void MetricsTableReadsBackNullsAndMissingGradientNorms()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("run"), "test", new { }, 0, overwrite: false);
        TrainingMetrics[] rows =
        [
            new(0, 1.5, 0.25, 2.5, 0.125, 3, double.NaN, 0.1, RiskEstimate: 1.0 / 3),
            new(10, 0.1, 1e-300, 0.2, 0.3, 3.5, 0.7, 0.05, MeanGate: 0.5, GatedOffShare: 0.25, DriftNorm: 2),
        ];
        MetricsTable.Write(run, rows);
        var back = MetricsTable.Read(run.Path);
        Assert.Equal(rows, back);
    }

    /// <summary>
    /// An arm interrupted mid-run (checkpoint_every &gt; 0) continues from its checkpoint when the study asks for it
    /// again, and ends with the metrics and parameters of an arm that was never interrupted; its run.json keeps the
    /// first start time.
    /// </summary>
    [Fact]
    public void AnInterruptedArmResumesFromItsCheckpointBitForBit()
    {
        using var dir = new TempDir();
        var config = Small with { Steps = 80, CheckpointEvery = 20, Record = null, BatchSize = 4 };
        var straightParent = RunDirectory.Create(dir.File("straight"), "test", new { }, 0, overwrite: false);
        var straight = Runner.RunArm(straightParent, new Arm("a", new RunSpec { Config = config }));
        var parent = RunDirectory.Create(dir.File("study"), "test", new { }, 0, overwrite: false);
        var broken = RunDirectory.Create(Path.Combine(parent.Path, "a"), "train", config, config.Seed, false);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Runner.Run(new RunSpec { Config = config }, broken, control: new TrainerControl { InterruptAt = 47 })
        );
        broken.Fail("interrupted", resumable: true);
        var started = RunDirectory.Inspect(broken.Path).StartedUtc;
        Assert.True(Runner.CanResume(broken.Path, config));
        Assert.False(Runner.CanResume(broken.Path, config with { Seed = 5 }), "another config must not resume it");
        var resumed = Runner.RunArm(parent, new Arm("a", new RunSpec { Config = config }));
        Assert.False(resumed.Reused);
        Assert.Equal(straight.Metrics, resumed.Metrics);
        foreach (var (x, y) in straight.Model.parameters().Zip(resumed.Model.parameters()))
            Assert.True(x.eq(y).all().item<bool>(), "parameters differ after the resume");
        var info = RunDirectory.Inspect(broken.Path);
        Assert.Equal(RunStatus.Done, info.Status);
        Assert.Equal(started, info.StartedUtc);
    }
}
