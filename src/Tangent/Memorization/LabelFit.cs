using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Runs;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Memorization;

/// <summary>
/// The many small in-memory fits of the memorization and data-pruning studies, through the runner (no run directory):
/// an MLP trained by AdamW on cross-entropy to given labels.
/// </summary>
public static class LabelFit
{
    /// <summary>
    /// Trains <paramref name="model"/> (seeded by <paramref name="seed"/>) on (x, labels) with <paramref
    /// name="settings"/>; the test rows of the metrics are on (xTest, labelsTest), or on the training set when those
    /// are null. With <see cref="LabelFitSettings.SelfInfluence"/>, accumulates each example's self-influence along
    /// the run: SI_i = Σ_t (η/n)·g_i(t)ᵀ M_t g_i(t), the first-order decrease of ℓ_i caused by its own share of each
    /// step (THEORY §5's subtracted term, per example; M_t AdamW's preconditioner; for minibatches the expectation
    /// over batches, since example i is in a batch of b with probability b/n and then contributes (η/b)·g_iᵀMg_i),
    /// sampled every <see cref="LabelFitSettings.CheckEvery"/> steps and weighted by it.
    /// </summary>
    public static LabelFitResult Run(
        LabelFitSettings settings,
        MlpConfig model,
        Tensor x,
        Tensor labels,
        long seed,
        CancellationToken cancel,
        Tensor? xTest = null,
        Tensor? labelsTest = null
    )
    {
        int every = settings.CheckEvery;
        var net = new Mlp(model, Seeds.Generator(seed));
        long n = x.shape[0];
        int classes = model.Widths[^1];
        using var si = settings.SelfInfluence ? zeros(n, dtype: ScalarType.Float64) : null;
        int? fittedAt = null;
        // Every check: stop once every training label is fitted (when asked); add the step's self-influence (M_t is
        // the preconditioner the step is about to use).
        var probe = new StepObserver(state =>
        {
            if (state.Step % every != 0 || state.Final)
                return;
            if (settings.StopWhenFitted)
                using (no_grad())
                    if (net.call(x).argmax(1).eq(labels).all().item<bool>())
                    {
                        fittedAt = state.Step;
                        return;
                    }
            if (si is null)
                return;
            var m = state.Optimizer.Preconditioner();
            var s = GradientStatistics.PreconditionedSquaredNorms(
                net,
                x,
                u => nn.functional.cross_entropy(u, labels, reduction: nn.Reduction.None),
                new NtkOptions { Preconditioner = m, BlockElements = 1L << 24 }
            );
            si.AddInPlace(s, settings.Lr * every / n);
        });
        var train = new TrainConfig
        {
            Task = new TaskConfig
            {
                Kind = "teacher-classes",
                Dimension = model.Widths[0],
                Outputs = classes,
            },
            Model = model,
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.AdamW, Lr = settings.Lr },
            Loss = LossKind.CrossEntropy,
            Steps = settings.Steps,
            BatchSize = settings.BatchSize,
            LogEvery = settings.RiskEstimate ? Math.Max(1, settings.Steps / 20) : settings.Steps,
            RiskEstimate = settings.RiskEstimate,
            Seed = seed,
        };
        using var y = nn.functional.one_hot(labels, classes).to_type(x.dtype);
        using var yTest = labelsTest is null ? y.alias() : nn.functional.one_hot(labelsTest, classes).to_type(x.dtype);
        using var task = new TaskData(x.alias(), y.alias(), y.alias(), (xTest ?? x).alias(), yTest.alias());
        var spec = new RunSpec
        {
            Config = train,
            Probes = [probe],
            StopWhen = _ => fittedAt is not null,
        };
        var metrics = Runner.Train(spec, net, task, cancel: cancel);
        return new LabelFitResult(fittedAt, net, si?.data<double>().ToArray(), metrics);
    }
}
