using Tangent.Data;
using Tangent.Models;
using Tangent.Training;

namespace Tangent.Tests.Training;

/// <summary>
/// Progress lines carry the latest logged losses, and say at which step they were measured when that is not the
/// current one: the demo logs at step 0 and the end only, and a line at step 14000 of 20000 that printed the step-0
/// loss as if current read as "training has not moved".
/// </summary>
public class TrainerProgressTests
{
    private sealed class Collect : IProgress<ProgressReport>
    {
        public List<string> Messages { get; } = [];

        public void Report(ProgressReport value) => Messages.Add(value.Message);
    }

    private static TrainConfig Config(int logEvery) =>
        new()
        {
            Task = new TaskConfig
            {
                Kind = "teacher",
                TrainSamples = 10,
                TestSamples = 5,
                Dimension = 3,
                Outputs = 1,
            },
            Model = new MlpConfig { Widths = [3, 16, 1], Activation = Activation.Tanh },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 0.2 },
            Steps = 200,
            LogEvery = logEvery,
            RiskEstimate = false,
        };

    private static (List<string> Messages, IReadOnlyList<TrainingMetrics> Metrics) Train(int logEvery)
    {
        var config = Config(logEvery);
        using var task = config.Task.Create(1);
        using var model = new Mlp(config.Model, new TorchSharp.torch.Generator(3));
        var progress = new Collect();
        var metrics = Trainer.Run(config, task, model, [], progress);
        return (progress.Messages, metrics);
    }

    [Fact]
    public void ALossMeasuredAtAnEarlierStepIsLabelledWithThatStep()
    {
        var (messages, metrics) = Train(logEvery: 1000);
        string mid = messages.Single(m => m.StartsWith("step 100/200", StringComparison.Ordinal));
        Assert.Contains($"train {metrics[0].TrainLoss:G4}", mid);
        Assert.EndsWith("(at step 0)", mid);
        Assert.DoesNotContain("(at step", messages[^1]);
        Assert.Contains($"train {metrics[^1].TrainLoss:G4}", messages[^1]);
    }

    [Fact]
    public void ALossMeasuredAtTheReportedStepCarriesNoLabel()
    {
        var (messages, metrics) = Train(logEvery: 2);
        string mid = messages.Single(m => m.StartsWith("step 100/200", StringComparison.Ordinal));
        Assert.DoesNotContain("(at step", mid);
        Assert.Contains($"train {metrics.Single(r => r.Step == 100).TrainLoss:G4}", mid);
    }
}
