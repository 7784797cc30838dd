using Tangent.Data;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Training;

/// <summary>
/// The trainer trains any module, not only Tangent's MLP: a bias-free TorchSharp <c>Linear</c> f(x) = Wx under gradient
/// descent on Φ = ‖XWᵀ − Y‖²/(2n) has the closed-form residual r_t = (I − (η/n) X Xᵀ)^t r₀, so the
/// logged training loss must be ‖r_t‖²/(2n) at every step.
/// </summary>
public class TrainerAnyModuleTests
{
    [Fact]
    public void GradientDescentOnATorchLinearFollowsTheClosedFormResidual()
    {
        using var scope = NewDisposeScope();
        var taskConfig = new TaskConfig
        {
            Kind = "linear-teacher",
            TrainSamples = 12,
            TestSamples = 6,
            Dimension = 5,
            Outputs = 2,
            NoiseStd = 0.3,
        };
        var config = new TrainConfig
        {
            Task = taskConfig,
            Model = new Tangent.Models.MlpConfig { Widths = [5, 2] },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 0.3 },
            Steps = 25,
            LogEvery = 1,
            RiskEstimate = false,
        };
        using var task = taskConfig.Create(seed: 4);
        var model = nn.Linear(5, 2, hasBias: false, dtype: ScalarType.Float64);
        using (no_grad())
            model.weight!.copy_(randn(2, 5, dtype: ScalarType.Float64, generator: new Generator(9)));

        Tensor r;
        using (no_grad())
            r = model.call(task.TrainX) - task.TrainY;
        var x = task.TrainX;
        var step = eye(12, dtype: ScalarType.Float64) - 0.3 / 12 * x.matmul(x.T);

        var metrics = Trainer.Run(config, task, model, []);
        Assert.Equal(26, metrics.Count);
        foreach (var m in metrics)
        {
            double expected = r.square().sum().item<double>() / (2 * 12);
            Assert.Equal(expected, m.TrainLoss, 1e-12 * Math.Max(1, expected));
            r = step.matmul(r);
        }
    }
}
