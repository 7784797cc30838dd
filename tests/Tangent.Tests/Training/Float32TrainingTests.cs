using Tangent.Data;
using Tangent.Models;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Training;

/// <summary>
/// <c>dtype: float32</c> trains the model in float32 from the float64 initialization rounded: its parameters are
/// float32, it follows the float64 run to float32's precision, an interrupted float32 run resumes bit for bit, and a
/// float32 run cannot record kernels.
/// </summary>
public class Float32TrainingTests
{
    private static readonly TrainConfig Transformer = new()
    {
        Task = new TaskConfig
        {
            Kind = "modular",
            Modulus = 7,
            Operation = "div",
            TrainFraction = 0.6,
            Sequence = true,
        },
        Model = new MlpConfig
        {
            Type = "transformer",
            Widths = [8, 16, 7],
            Layers = 1,
            Heads = 2,
            Tokens = 3,
        },
        Optimizer = new OptimizerConfig
        {
            Kind = OptimizerKind.SnrAdamW,
            Lr = 1e-3,
            Beta2 = 0.98,
            WeightDecay = 1,
        },
        Loss = LossKind.CrossEntropy,
        BatchSize = 8,
        Steps = 60,
        LogEvery = 10,
        RiskEstimate = false,
        CheckpointEvery = 20,
        Dtype = "float32",
    };

    private static RunResult Train(TempDir dir, string name, TrainConfig config, TrainerControl? control = null)
    {
        var run = RunDirectory.Create(dir.File(name), "train", config, config.Seed, overwrite: false);
        var result = Runner.Run(new RunSpec { Config = config }, run, control: control);
        run.Complete();
        return result;
    }

    /// <summary>
    /// Same seeds in both dtypes: every parameter of the float32 run is float32, and its logged training losses stay
    /// within 1e-5 relative of the float64 run's over 60 SnrAdamW steps (float32 rounds at 6e-8; measured at most
    /// 2e-7 on this model, so the bound leaves a 50× margin for other CPUs' summation orders).
    /// </summary>
    [Fact]
    public void AFloat32RunFollowsTheFloat64RunToFloat32Precision()
    {
        using var dir = new TempDir();
        var single = Train(dir, "f32", Transformer);
        var dbl = Train(dir, "f64", Transformer with { Dtype = null });
        Assert.All(single.Model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(dbl.Model.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.Equal(dbl.Metrics.Count, single.Metrics.Count);
        foreach (var (a, b) in single.Metrics.Zip(dbl.Metrics))
        {
            double rel = Math.Abs(a.TrainLoss - b.TrainLoss) / b.TrainLoss;
            Assert.True(rel < 1e-5, $"step {a.Step}: float32 {a.TrainLoss} vs float64 {b.TrainLoss}");
        }
        // Not the same run by accident: float32 rounding shows.
        Assert.NotEqual(dbl.Metrics[^1].TrainLoss, single.Metrics[^1].TrainLoss);
    }

    /// <summary>A float32 run interrupted at step 37 and resumed from its checkpoint ends with the metrics and
    /// parameters of the uninterrupted run, bit for bit.</summary>
    [Fact]
    public void AnInterruptedFloat32RunResumesBitForBit()
    {
        using var dir = new TempDir();
        var straight = Train(dir, "straight", Transformer);
        var run = RunDirectory.Create(dir.File("broken"), "train", Transformer, Transformer.Seed, false);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Runner.Run(new RunSpec { Config = Transformer }, run, control: new TrainerControl { InterruptAt = 37 })
        );
        run.Fail("interrupted", resumable: true);
        var reopened = RunDirectory.Reopen(run.Path);
        var resumed = Runner.Run(
            new RunSpec { Config = Transformer },
            reopened,
            control: new TrainerControl { Resume = true }
        );
        reopened.Complete();
        Assert.Equal(straight.Metrics, resumed.Metrics);
        foreach (var (a, b) in straight.Model.parameters().Zip(resumed.Model.parameters()))
            Assert.True(a.eq(b).all().item<bool>(), "parameters differ after the resume");
    }

    [Fact]
    public void Float32RefusesKernelRecordingAndUnknownDtypes()
    {
        var record = Assert.Throws<ConfigException>(() =>
            (
                Transformer with
                {
                    Record = new RecordConfig { Schedule = "every", Every = 10 },
                }
            ).Validate()
        );
        Assert.Equal("dtype", record.Field);
        Assert.Contains("float64", record.Message);
        var unknown = Assert.Throws<ConfigException>(() => (Transformer with { Dtype = "float16" }).Validate());
        Assert.Equal("dtype", unknown.Field);
    }
}
