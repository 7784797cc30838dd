using Tangent.Data;
using Tangent.Models;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Training;

/// <summary>
/// The trainer's extension points against cases with a known answer: a replaced output gradient (reservoir ablation's
/// hook) and a stop condition (memorization's "training set fitted").
/// </summary>
public class TrainerExtensionPointTests
{
    private static readonly TrainConfig Config = new()
    {
        Task = new TaskConfig
        {
            Kind = "teacher",
            TrainSamples = 10,
            TestSamples = 5,
            Dimension = 3,
            Outputs = 2,
        },
        Model = new MlpConfig { Widths = [3, 16, 2], Activation = Activation.Tanh },
        Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 0.2 },
        Steps = 30,
        LogEvery = 10,
        RiskEstimate = false,
    };

    private static double[] Parameters(Mlp model) =>
        model.parameters().SelectMany(p => p.data<double>().ToArray()).ToArray();

    [Fact]
    public void AnIdentityOutputGradientTrainsAsTheLossDoes()
    {
        // J_Sᵀ (∂Φ/∂U) is ∇_w Φ: back-propagating the loss's own output gradient reproduces the plain run to
        // rounding.
        using var task = Config.Task.Create(1);
        var plain = new Mlp(Config.Model, new Generator(5));
        var hooked = new Mlp(Config.Model, new Generator(5));
        Trainer.Run(Config, task, plain, []);
        Trainer.Run(Config, task, hooked, [], control: new TrainerControl { OutputGradient = (_, g) => g });
        var a = Parameters(plain);
        var b = Parameters(hooked);
        Assert.All(a.Zip(b), p => Assert.Equal(p.First, p.Second, 1e-12));
    }

    [Fact]
    public void AZeroOutputGradientLeavesTheParametersWhereTheyStarted()
    {
        using var task = Config.Task.Create(1);
        var model = new Mlp(Config.Model, new Generator(5));
        var start = Parameters(model);
        Trainer.Run(Config, task, model, [], control: new TrainerControl { OutputGradient = (_, g) => zeros_like(g) });
        Assert.Equal(start, Parameters(model));
    }

    [Fact]
    public void AStopConditionEndsTheRunWithTheParametersOfThatStep()
    {
        // Stopping at step 12 must leave exactly the parameters of a 12-step run.
        using var task = Config.Task.Create(1);
        var stopped = new Mlp(Config.Model, new Generator(5));
        var twelve = new Mlp(Config.Model, new Generator(5));
        var steps = new List<int>();
        var seen = new StepObserver(s => steps.Add(s.Step));
        Trainer.Run(Config, task, stopped, [seen], control: new TrainerControl { StopWhen = s => s.Step == 12 });
        Trainer.Run(Config with { Steps = 12 }, task, twelve, []);
        Assert.Equal(Enumerable.Range(0, 13), steps);
        Assert.Equal(Parameters(twelve), Parameters(stopped));
    }
}
