using Tangent.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Tests.Training;

/// <summary>Tangent's optimizer matches TorchSharp's SGD, Adam and AdamW step for step (float64).</summary>
public class OptimizerTests
{
    public static IEnumerable<object[]> Cases() =>
        [
            [new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 0.1 }],
            [
                new OptimizerConfig
                {
                    Kind = OptimizerKind.Sgd,
                    Lr = 0.05,
                    Momentum = 0.9,
                    WeightDecay = 0.01,
                },
            ],
            [
                new OptimizerConfig
                {
                    Kind = OptimizerKind.Adam,
                    Lr = 0.01,
                    WeightDecay = 0.001,
                },
            ],
            [
                new OptimizerConfig
                {
                    Kind = OptimizerKind.AdamW,
                    Lr = 0.01,
                    WeightDecay = 0.1,
                    Beta2 = 0.98,
                },
            ],
            [
                new OptimizerConfig
                {
                    Kind = OptimizerKind.SnrAdamW,
                    Gate = GateKind.One,
                    Lr = 0.01,
                    WeightDecay = 0.1,
                    Beta2 = 0.98,
                },
            ],
        ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTorchSharpStepForStep(OptimizerConfig config)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(1);
        var x = randn(new long[] { 16, 4 }, dtype: ScalarType.Float64, generator: g);
        var y = randn(new long[] { 16, 2 }, dtype: ScalarType.Float64, generator: g);
        var ours = nn.Linear(4, 2, dtype: ScalarType.Float64);
        var theirs = nn.Linear(4, 2, dtype: ScalarType.Float64);
        using (no_grad())
        {
            theirs.weight!.copy_(ours.weight!);
            theirs.bias!.copy_(ours.bias!);
        }
        var mine = new Optimizer(ours.parameters().ToList(), config);
        optim.Optimizer reference = config.Kind switch
        {
            OptimizerKind.Adam => optim.Adam(
                theirs.parameters(),
                config.Lr,
                config.Beta1,
                config.Beta2,
                config.Eps,
                config.WeightDecay
            ),
            OptimizerKind.AdamW or OptimizerKind.SnrAdamW => optim.AdamW(
                theirs.parameters(),
                config.Lr,
                config.Beta1,
                config.Beta2,
                config.Eps,
                config.WeightDecay
            ),
            _ => optim.SGD(theirs.parameters(), config.Lr, config.Momentum, weight_decay: config.WeightDecay),
        };
        for (int step = 0; step < 25; step++)
        {
            foreach (
                var (model, opt) in new (Linear, Action)[]
                {
                    (ours, () => mine.Step(config.Lr)),
                    (theirs, () => reference.step()),
                }
            )
            {
                model.zero_grad();
                (model.call(x) - y).square().mean().backward();
                opt();
            }
            Assert.True((ours.weight! - theirs.weight!).abs().max().item<double>() < 1e-12, $"step {step}");
            Assert.True((ours.bias! - theirs.bias!).abs().max().item<double>() < 1e-12, $"step {step}");
        }
    }

    [Fact]
    public void AdamPreconditionerIsThatOfTheComingStep()
    {
        using var scope = NewDisposeScope();
        var w = nn.Parameter(tensor(new[] { 1.0, -2.0 }));
        var opt = new Optimizer(
            [w],
            new OptimizerConfig
            {
                Kind = OptimizerKind.Adam,
                Lr = 0.1,
                Beta2 = 0.9,
                Eps = 1e-8,
            }
        );
        w.grad = tensor(new[] { 0.5, -4.0 });
        // First step: v = (1 − β₂)g², v̂ = g², so M = 1/(|g| + ε).
        var m = opt.Preconditioner().data<double>().ToArray();
        Assert.Equal(1 / (0.5 + 1e-8), m[0], 9);
        Assert.Equal(1 / (4.0 + 1e-8), m[1], 9);
    }
}
