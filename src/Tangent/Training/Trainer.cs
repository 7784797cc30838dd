using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>
/// Trains any <c>Module&lt;Tensor, Tensor&gt;</c> (its <c>parameters()</c>) on a task: full-batch or seeded
/// minibatches, any <see cref="OptimizerKind"/> with a learning-rate schedule, ½-MSE or cross-entropy; checkpoints
/// that resume bit for bit; the population-risk estimate of THEORY §5 from the training batches alone; the
/// drift/diffusion split of THEORY §4. Observers see the state at every step (after backward, before the update) and
/// at the end. Divergence (a non-finite loss) stops the run with a message naming the learning rate.
/// </summary>
public static class Trainer
{
    /// <summary>Runs <paramref name="config"/>.Steps steps and returns the logged metrics.</summary>
    public static IReadOnlyList<TrainingMetrics> Run(
        TrainConfig config,
        TaskData task,
        nn.Module<Tensor, Tensor> model,
        IReadOnlyList<ITrainingObserver> observers,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default,
        TrainerControl? control = null
    )
    {
        control ??= new TrainerControl();
        Native.Allocator.FixMmapThreshold();
        var parameters = model.parameters().ToList();
        using var optimizer = new Optimizer(parameters, config.Optimizer);
        using var batches = Seeds.Generator(config.Seed + 2);
        using var accumulators = new RunAccumulators();
        var metrics = new List<TrainingMetrics>();
        int start = 0;
        if (control.Resume)
            (start, metrics) = Checkpoint.Load(control.CheckpointRun!, model, optimizer, batches, accumulators);
        long n = task.TrainX.shape[0];
        bool minibatch = config.BatchSize > 0 && config.BatchSize < n;
        if (
            control.Objective is not null
            && (control.OutputGradient is not null || minibatch || config.RiskEstimate || config.DriftDiffusion)
        )
            throw new ArgumentException(
                "an objective is full-batch and has no per-example outputs: no output-gradient transform, "
                    + "minibatches, risk estimate or drift/diffusion"
            );
        int reportEvery = Math.Max(1, config.Steps / 100);
        for (int step = start; step <= config.Steps; step++)
        {
            if (cancel.IsCancellationRequested || control.InterruptAt == step)
            {
                // Checkpoint on interrupt: nothing of this step has run yet, so the state is exactly "before step".
                if (control.CheckpointRun is not null && config.CheckpointEvery > 0 && step > start)
                    Checkpoint.Save(control.CheckpointRun, step, model, optimizer, batches, metrics, accumulators);
                throw new OperationCanceledException($"interrupted at step {step}");
            }
            if (
                control.CheckpointRun is not null
                && config.CheckpointEvery > 0
                && step > start
                && step % config.CheckpointEvery == 0
            )
                Checkpoint.Save(control.CheckpointRun, step, model, optimizer, batches, metrics, accumulators);

            using var scope = NewDisposeScope();
            bool final = step == config.Steps;
            double lr = config.Optimizer.LearningRate(step, config.Steps);
            foreach (var p in parameters)
                p.grad?.zero_();
            double gradNorm = double.NaN;
            if (step == 0 && config.RiskEstimate)
                using (no_grad())
                    accumulators.Risk = accumulators.RiskAlpha = Losses
                        .Loss(config.Loss, ModelOutputs.Of(model, task.TrainX), task.TrainY)
                        .AsDouble();
            IReadOnlyList<GradientMoments>? moments = null;
            if (!final)
            {
                Tensor x = task.TrainX,
                    y = task.TrainY;
                if (minibatch)
                {
                    var index = randperm(n, generator: batches)[TensorIndex.Slice(0, config.BatchSize)];
                    x = x.index_select(0, index);
                    y = y.index_select(0, index);
                }
                var output = control.Objective is null ? model.call(x) : null;
                var loss = control.Objective is { } objective ? objective(model) : Losses.Loss(config.Loss, output!, y);
                double value = loss.AsDouble();
                if (!double.IsFinite(value))
                    throw new InvalidOperationException(
                        $"training diverged at step {step} (loss {value}); lower {control.LearningRateField} (now "
                            + $"{config.Optimizer.Lr})"
                    );
                if (control.OutputGradient is { } transform)
                {
                    // Back-propagate a replaced output gradient: ∇_w = J_Sᵀ g′ with g′ = transform(∂Φ/∂U).
                    var g = autograd.grad([loss], [output!], retain_graph: true)[0].detach();
                    output!.backward([transform(step, g)]);
                }
                else
                    loss.backward();
                gradNorm = Math.Sqrt(parameters.Sum(p => p.grad is null ? 0 : p.grad.Squared().sum().AsDouble()));
                // The risk estimate's increments on every k-th step, each standing for its k steps (k = risk_every).
                bool riskStep = config.RiskEstimate && step % config.RiskInterval == 0;
                if (riskStep || optimizer.NeedsPerExampleMoments)
                    moments = GradientStatistics.Compute(model, x, u => Losses.PerSample(config.Loss, u, y));
                if (riskStep)
                    UpdateRisk(accumulators, moments!, optimizer, lr * config.RiskInterval, n);
                if (config.DriftDiffusion && minibatch)
                    UpdateDriftDiffusion(accumulators, config, model, task, parameters, optimizer, lr);
            }
            var state = new TrainingState(step, model, task, optimizer, lr, config.Loss, final);
            foreach (var o in observers)
                o.OnStep(state);
            if (step % config.LogEvery == 0 || final)
            {
                double? objectiveValue = control.Objective is { } f ? f(model).AsDouble() : null;
                metrics.Add(Measure(step, config, model, task, gradNorm, lr, optimizer, accumulators, objectiveValue));
            }
            if (final)
                break;
            if (control.StopWhen?.Invoke(state) == true)
                break;
            if (
                config.StopAtTestMetric is { } target
                && metrics.Count > 0
                && metrics[^1].Step == step
                && metrics[^1].TestMetric >= target
            )
                break;
            optimizer.Step(lr, moments);
            if (moments is not null)
                foreach (var m in moments)
                    m.Dispose();
            if (step % reportEvery == 0)
                progress?.Report(
                    new ProgressReport("training", (double)step / config.Steps, Status(step, config, metrics))
                );
        }
        progress?.Report(new ProgressReport("training", 1, Status(config.Steps, config, metrics)));
        return metrics;
    }

    /// <summary>The progress line of a step: the step and the losses of the latest logged row, with that row's step
    /// when it is an earlier one (a run that logs rarely must not pass an old loss off as the current one).</summary>
    private static string Status(int step, TrainConfig config, IReadOnlyList<TrainingMetrics> metrics)
    {
        if (metrics.Count == 0)
            return $"step {step}/{config.Steps}";
        var last = metrics[^1];
        string at = last.Step == step ? "" : $" (at step {last.Step})";
        return $"step {step}/{config.Steps}  train {last.TrainLoss:G4}  test {last.TestLoss:G4}{at}";
    }

    /// <summary>
    /// R̂ ← R̂ − η Σ_k p_k (ĝ_k² − c·v_k), c = 1/(b − 1) (unbiased for fresh batches) or c = α = b/(n
    /// − b) (THEORY §5), with p the step's diagonal preconditioner (1 for GD/SGD; 1/(√v̂ + ε) for the Adam
    /// family, ignoring momentum).
    /// </summary>
    private static void UpdateRisk(
        RunAccumulators acc,
        IReadOnlyList<GradientMoments> moments,
        Optimizer optimizer,
        double lr,
        long n
    )
    {
        using var scope = NewDisposeScope();
        var p = optimizer.Preconditioner();
        var mean = cat(moments.Select(m => m.Mean().reshape(-1)).ToList(), 0);
        var variance = cat(moments.Select(m => m.Variance().reshape(-1)).ToList(), 0);
        long b = moments[0].Count;
        double signal = (p * mean.Squared()).sum().AsDouble();
        double noise = (p * variance).sum().AsDouble();
        acc.Risk -= lr * (signal - (b > 1 ? noise / (b - 1) : 0));
        acc.RiskAlpha -= lr * (signal - (n > b ? noise * b / (n - b) : 0));
    }

    /// <summary>drift += η p ⊙ ∇L_S(w), diffusion += η p ⊙ (ĝ_B − ∇L_S(w)), with ∇L_S the full
    /// training-set gradient.</summary>
    private static void UpdateDriftDiffusion(
        RunAccumulators acc,
        TrainConfig config,
        nn.Module<Tensor, Tensor> model,
        TaskData task,
        IReadOnlyList<Parameter> parameters,
        Optimizer optimizer,
        double lr
    )
    {
        using var scope = NewDisposeScope();
        var full = autograd.grad(
            new[] { Losses.Loss(config.Loss, model.call(task.TrainX), task.TrainY) },
            parameters.Cast<Tensor>().ToList()
        );
        var fullFlat = cat(full.Select(g => g.reshape(-1)).ToList(), 0).to_type(ScalarType.Float64);
        var batchFlat = cat(parameters.Select(q => (q.grad ?? zeros_like(q)).reshape(-1)).ToList(), 0)
            .to_type(ScalarType.Float64);
        var p = optimizer.Preconditioner().to_type(ScalarType.Float64);
        acc.Drift ??= zeros_like(fullFlat).DetachFromDisposeScope();
        acc.Diffusion ??= zeros_like(fullFlat).DetachFromDisposeScope();
        acc.Drift.AddInPlace(p * fullFlat, lr);
        acc.Diffusion.AddInPlace(p * (batchFlat - fullFlat), lr);
    }

    private static TrainingMetrics Measure(
        int step,
        TrainConfig config,
        nn.Module<Tensor, Tensor> model,
        TaskData task,
        double gradNorm,
        double lr,
        Optimizer optimizer,
        RunAccumulators acc,
        double? objective
    )
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var us = objective is null ? ModelOutputs.Of(model, task.TrainX) : null;
        var uq = ModelOutputs.Of(model, task.TestX);
        double weightNorm = Math.Sqrt(model.parameters().Sum(p => p.Squared().sum().AsDouble()));
        bool snr = config.Optimizer.Kind == OptimizerKind.SnrAdamW;
        return new TrainingMetrics(
            step,
            objective ?? Losses.Loss(config.Loss, us!, task.TrainY).AsDouble(),
            objective ?? Losses.Metric(config.Task.IsClassification, us!, task.TrainY),
            Losses.Loss(config.Loss, uq, task.TestY).AsDouble(),
            Losses.Metric(config.Task.IsClassification, uq, task.TestY),
            weightNorm,
            gradNorm,
            lr,
            snr ? optimizer.MeanGate : null,
            snr ? optimizer.GatedOffShare : null,
            config.RiskEstimate ? acc.Risk : null,
            config.RiskEstimate ? acc.RiskAlpha : null,
            acc.Drift is null ? null : acc.Drift.norm().AsDouble(),
            acc.Diffusion is null ? null : acc.Diffusion.norm().AsDouble(),
            snr ? TensorGates.Of(optimizer) : null
        );
    }
}
