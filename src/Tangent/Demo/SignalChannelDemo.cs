using Tangent.Channel;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Demo;

/// <summary>
/// <c>tangent demo</c>: trains the one-hidden-layer ReLU network of <see cref="DemoConfig"/> by full-batch gradient
/// descent on ½-MSE and, at log-spaced checkpoints, reads the instantaneous eNTK K_SS and K_QS, splits K_SS into
/// signal channel and reservoir, and measures where the residual and the injected label noise lie. Writes the whole run
/// directory.
/// </summary>
public static class SignalChannelDemo
{
    /// <summary>Runs the demo into <paramref name="run"/> (which the caller created) and returns the
    /// measurements.</summary>
    public static DemoResult Run(
        DemoConfig config,
        RunDirectory run,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        config.Validate();
        var result = Train(config, progress, cancel);
        progress?.Report(new ProgressReport("writing", 1, "arrays, figures, report"));
        DemoReport.Write(result, run);
        return result;
    }

    /// <summary>Trains and measures; writes nothing.</summary>
    public static DemoResult Train(
        DemoConfig config,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        config.Validate();
        using var task = SineTask.Create(
            config.TrainPoints,
            config.TestPoints,
            config.XMin,
            config.XMax,
            config.Amplitude,
            config.Frequency,
            config.NoiseStd,
            config.Seed
        );
        using var generator = Seeds.Generator(config.Seed + 1);
        using var model = new ScaledMlp(1, config.Width, 1, generator);
        using var noise = task.LabelNoise.DetachFromDisposeScope();
        using var grid = linspace(config.XMin - 0.25, config.XMax + 0.25, 400, dtype: ScalarType.Float64)
            .unsqueeze(1)
            .DetachFromDisposeScope();

        var checkpointSteps = new HashSet<int>(Schedules.LogSpaced(config.Steps, config.Checkpoints));
        var checkpoints = new List<ChannelCheckpoint>();
        var curve = new List<(int, double, double)>();
        double[] fitInitial = Evaluate(model, grid);
        Tensor? kernelInitial = null;
        Tensor? residualInitial = null;
        Tensor? kernelFinal = null;

        try
        {
            // Full-batch GD on ½-MSE through the one training loop; the observer logs the curve and measures the
            // kernel at the checkpoints, before each step's update (the same point the loop's own measurements took).
            var train = new TrainConfig
            {
                Task = new TaskConfig
                {
                    Kind = "sine",
                    TrainSamples = config.TrainPoints,
                    TestSamples = config.TestPoints,
                },
                Model = new MlpConfig { Widths = [1, config.Width, 1] },
                Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = config.LearningRate },
                Steps = config.Steps,
                LogEvery = config.Steps,
                RiskEstimate = false,
            };
            var observer = new StepObserver(state =>
            {
                int step = state.Step;
                bool isCheckpoint = checkpointSteps.Contains(step);
                if (!isCheckpoint && step % config.LogEvery != 0 && step != config.Steps)
                    return;
                double trainMse,
                    testMse;
                using (no_grad())
                {
                    trainMse = HalfMse.Mse(model.call(task.TrainX), task.TrainY);
                    testMse = HalfMse.Mse(model.call(task.TestX), task.TestY);
                }
                curve.Add((step, trainMse, testMse));
                if (!isCheckpoint)
                    return;
                var (checkpoint, kss) = Measure(model, task, noise, config.ChannelThreshold, step, trainMse, testMse);
                checkpoints.Add(checkpoint);
                if (step == 0)
                {
                    kernelInitial = kss.DetachFromDisposeScope();
                    using (no_grad())
                        residualInitial = (model.call(task.TrainX) - task.TrainY).DetachFromDisposeScope();
                }
                if (step == config.Steps)
                    kernelFinal = kss.DetachFromDisposeScope();
            });
            var spec = new RunSpec
            {
                Config = train,
                Probes = [observer],
                LearningRateField = "--lr",
            };
            Runner.Train(spec, model, task, progress, cancel);
            progress?.Report(new ProgressReport("training", 1, $"step {config.Steps}/{config.Steps}"));

            double drift;
            using (var diff = kernelFinal! - kernelInitial!)
                drift = diff.norm().item<double>() / kernelInitial!.norm().item<double>();

            double noiseFitted;
            using (no_grad())
            using (var scope = NewDisposeScope())
            {
                var absorbed = model.call(task.TrainX) - task.TrainClean;
                noiseFitted =
                    config.NoiseStd == 0
                        ? 0
                        : (absorbed * noise).sum().item<double>() / noise.Squared().sum().item<double>();
            }

            using var finalPartition = SpectralPartition.Of(kernelFinal!, config.ChannelThreshold);
            using var initialInFinal = finalPartition.Project(residualInitial!);
            return new DemoResult(
                config,
                checkpoints,
                curve,
                Values(task.TrainX),
                Values(task.TrainY),
                Values(task.TrainClean),
                Values(task.TestX),
                Values(task.TestY),
                Values(grid),
                fitInitial,
                Evaluate(model, grid),
                drift,
                noiseFitted,
                Values(initialInFinal),
                Values(finalPartition.Vectors),
                Values(kernelInitial!),
                Values(kernelFinal!)
            );
        }
        finally
        {
            kernelInitial?.Dispose();
            kernelFinal?.Dispose();
            residualInitial?.Dispose();
        }
    }

    /// <summary>
    /// One checkpoint: K_SS = J_S J_Sᵀ and K_QS = J_Q J_Sᵀ (plain GD: M = I; LayerwiseRules), the partition of K_SS
    /// at τ·λ_max, and the projections of r = U_S − Y and ε on its eigenvectors.
    /// </summary>
    private static (ChannelCheckpoint, Tensor) Measure(
        ScaledMlp model,
        TaskData task,
        Tensor noise,
        double threshold,
        int step,
        double trainMse,
        double testMse
    )
    {
        var kernels = Ntk.Compute(model, task.TrainX, task.TestX);
        var (kss, kqs) = (kernels.Kss, kernels.Kqs);
        using var partition = SpectralPartition.Of(kss, threshold);
        Tensor residual;
        using (no_grad())
            residual = model.call(task.TrainX) - task.TrainY;
        var transfer = kqs!.matmul(partition.Vectors).Squared().sum(0L).sqrt();
        var checkpoint = new ChannelCheckpoint(
            step,
            trainMse,
            testMse,
            Values(partition.Values),
            Values(partition.Project(residual)),
            Values(partition.Project(noise)),
            Values(transfer),
            partition.ChannelSize,
            partition.Threshold,
            partition.ChannelShare(residual),
            partition.ReservoirShare(noise)
        );
        return (checkpoint, kss);
    }

    private static double[] Evaluate(ScaledMlp model, Tensor x)
    {
        using var _ = no_grad();
        using var y = model.call(x);
        return Values(y);
    }

    private static double[] Values(Tensor t)
    {
        using var c = t.detach().to_type(ScalarType.Float64).contiguous().reshape(-1);
        return c.data<double>().ToArray();
    }
}
