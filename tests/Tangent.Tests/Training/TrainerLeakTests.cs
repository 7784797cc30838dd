using Tangent.Data;
using Tangent.Models;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Tests.Training;

/// <summary>Training holds a fixed number of tensors however many steps it runs (long grokking runs must not
/// grow).</summary>
public class TrainerLeakTests
{
    [Theory]
    [InlineData(OptimizerKind.AdamW, LossKind.HalfMse)]
    [InlineData(OptimizerKind.AdamW, LossKind.CrossEntropy)]
    [InlineData(OptimizerKind.Gd, LossKind.HalfMse)]
    public void LiveTensorsDoNotGrowWithSteps(OptimizerKind optimizer, LossKind loss)
    {
        var config = new TrainConfig
        {
            Task = new TaskConfig { Kind = "modular", Modulus = 7 },
            Model = new MlpConfig
            {
                Widths = [14, 16, 7],
                Activation = Activation.Quadratic,
                Bias = false,
                Parameterization = Parameterization.Standard,
            },
            Optimizer = new OptimizerConfig
            {
                Kind = optimizer,
                Lr = 0.01,
                WeightDecay = 1,
            },
            Loss = loss,
            LogEvery = 5,
            RiskEstimate = false,
        };
        long Live(int steps)
        {
            using var task = config.Task.Create(0);
            var model = new Mlp(config.Model, new Generator(1));
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            Trainer.Run(config with { Steps = steps }, task, model, []);
            long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            model.Dispose();
            return after - before;
        }
        Assert.Equal(Live(10), Live(60));
    }
}
