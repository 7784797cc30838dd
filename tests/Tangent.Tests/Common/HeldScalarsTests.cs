using Tangent.Data;
using Tangent.Models;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Tests.Common;

/// <summary>
/// TorchSharp frees a Scalar made from a <c>double</c> in its finalizer, so a collection on another thread while
/// LibTorch still reads it corrupts the operation ("Unknown scalar type", "Expected false to be true"). The
/// reference is that failure itself: with a thread collecting in a loop, code that passes doubles straight to
/// TorchSharp fails within ~5·10⁴ operations; training code that holds its Scalars must run to the end and
/// reproduce the undisturbed run exactly.
/// </summary>
public class HeldScalarsTests
{
    [Theory]
    [InlineData(OptimizerKind.SnrAdamW, Activation.LeakyRelu)]
    [InlineData(OptimizerKind.AdamW, Activation.Tanh)]
    [InlineData(OptimizerKind.Sgd, Activation.Relu)]
    public void TrainingUnderConcurrentCollectionsEqualsTheUndisturbedRun(
        OptimizerKind optimizer,
        Activation activation
    )
    {
        var config = new TrainConfig
        {
            Task = new TaskConfig { Kind = "modular", Modulus = 5 },
            Model = new MlpConfig
            {
                Widths = [10, 8, 5],
                Activation = activation,
                Parameterization = Parameterization.Ntk,
                OutputScale = 0.5,
            },
            Optimizer = new OptimizerConfig
            {
                Kind = optimizer,
                Lr = 0.01,
                WeightDecay = 0.1,
                Momentum = optimizer == OptimizerKind.Sgd ? 0.9 : 0,
            },
            Steps = 6000,
            LogEvery = 6000,
            RiskEstimate = true,
        };
        var quiet = Train(config);
        bool stop = false;
        var collector = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        collector.Start();
        try
        {
            Assert.Equal(quiet, Train(config));
        }
        finally
        {
            Volatile.Write(ref stop, true);
            collector.Join();
        }
    }

    private static List<TrainingMetrics> Train(TrainConfig config)
    {
        using var task = config.Task.Create(0);
        using var model = new Mlp(config.Model, new Generator(1));
        return Trainer.Run(config, task, model, []).ToList();
    }
}
