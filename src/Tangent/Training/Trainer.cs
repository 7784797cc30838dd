using Tangent.Data;
using Tangent.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>What an observer sees at a step: after the gradient of this step is computed, before the update.</summary>
public sealed record TrainingState(int Step, Mlp Model, RegressionTask Task, Optimizer Optimizer, double LearningRate, LossKind Loss, bool Final);

/// <summary>Something that watches a run (the kernel recorder, metric loggers).</summary>
public interface ITrainingObserver
{
    /// <summary>Called at every step before the update, and once more at the end with <see cref="TrainingState.Final"/>.</summary>
    void OnStep(TrainingState state);
}

/// <summary>One row of metrics.csv.</summary>
public sealed record TrainingMetrics(int Step, double TrainLoss, double TrainMetric, double TestLoss, double TestMetric, double WeightNorm, double GradientNorm, double LearningRate);

/// <summary>
/// Trains a model on a task: full-batch or seeded minibatches, any <see cref="OptimizerKind"/>, ½-MSE or cross-entropy.
/// Observers see the state at every step (after backward, before the update) and at the end.
/// </summary>
public static class Trainer
{
    /// <summary>Runs <paramref name="config"/>.Steps steps and returns the logged metrics.</summary>
    public static IReadOnlyList<TrainingMetrics> Run(TrainConfig config, RegressionTask task, Mlp model, IReadOnlyList<ITrainingObserver> observers,
                                                    IProgress<ProgressReport>? progress = null, CancellationToken cancel = default)
    {
        var parameters = model.parameters().ToList();
        using var optimizer = new Optimizer(parameters, config.Optimizer);
        using var batches = new Generator((ulong)(config.Seed + 2));
        var metrics = new List<TrainingMetrics>();
        long n = task.TrainX.shape[0];
        int reportEvery = Math.Max(1, config.Steps / 100);
        for (int step = 0; step <= config.Steps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            bool final = step == config.Steps;
            double lr = config.Optimizer.Lr;
            foreach (var p in parameters) p.grad?.zero_();
            double gradNorm = double.NaN;
            if (!final)
            {
                Tensor x = task.TrainX, y = task.TrainY;
                if (config.BatchSize > 0 && config.BatchSize < n)
                {
                    var index = randperm(n, generator: batches)[TensorIndex.Slice(0, config.BatchSize)];
                    x = x.index_select(0, index);
                    y = y.index_select(0, index);
                }
                var loss = Losses.Loss(config.Loss, model.call(x), y);
                double value = loss.item<double>();
                if (!double.IsFinite(value))
                    throw new InvalidOperationException($"training diverged at step {step} (loss {value}); lower optimizer.lr (now {lr})");
                loss.backward();
                gradNorm = Math.Sqrt(parameters.Sum(p => p.grad is null ? 0 : p.grad.square().sum().item<double>()));
            }
            var state = new TrainingState(step, model, task, optimizer, lr, config.Loss, final);
            foreach (var o in observers) o.OnStep(state);
            if (step % config.LogEvery == 0 || final) metrics.Add(Measure(step, config.Loss, model, task, gradNorm, lr));
            if (final) break;
            optimizer.Step(lr);
            if (step % reportEvery == 0)
                progress?.Report(new ProgressReport("training", (double)step / config.Steps, $"step {step}/{config.Steps}"));
        }
        progress?.Report(new ProgressReport("training", 1, $"step {config.Steps}/{config.Steps}"));
        return metrics;
    }

    private static TrainingMetrics Measure(int step, LossKind kind, Mlp model, RegressionTask task, double gradNorm, double lr)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var us = model.call(task.TrainX);
        var uq = model.call(task.TestX);
        double weightNorm = Math.Sqrt(model.parameters().Sum(p => p.square().sum().item<double>()));
        return new TrainingMetrics(step, Losses.Loss(kind, us, task.TrainY).item<double>(), Losses.Metric(kind, us, task.TrainY),
            Losses.Loss(kind, uq, task.TestY).item<double>(), Losses.Metric(kind, uq, task.TestY), weightNorm, gradNorm, lr);
    }
}
