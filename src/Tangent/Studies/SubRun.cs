using Tangent.Commands;
using Tangent.Paths;
using Tangent.Store;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>A study's sub-run: one <c>tangent train</c> run in a sub-directory of the study's run, then <c>tangent
/// analyze</c> on it.</summary>
/// <param name="Path">The sub-run's directory.</param>
/// <param name="Summary">The training summary (final losses and metrics, seconds).</param>
/// <param name="Analysis">The path-operator analysis of the recorded snapshots (THEORY §2–3, §7).</param>
public sealed record SubRun(string Path, IReadOnlyDictionary<string, object?> Summary, PathAnalysisResult Analysis)
{
    /// <summary>
    /// Trains <paramref name="config"/> (which must record kernels) into <c>parent/name</c>, marks it done, analyzes it
    /// with <paramref name="options"/> (defaults: the whole run, λ⋆ threshold), and returns both results.
    /// </summary>
    public static SubRun TrainAndAnalyze(
        RunDirectory parent,
        string name,
        TrainConfig config,
        CancellationToken cancel,
        IReadOnlyList<ITrainingObserver>? observers = null,
        AnalyzeOptions? options = null
    )
    {
        ConfigException.Require(
            config.Record is not null,
            "record",
            "a study sub-run must record kernel snapshots",
            "add a record section"
        );
        var sub = RunDirectory.Create(
            System.IO.Path.Combine(parent.Path, name),
            "train",
            config,
            config.Seed,
            overwrite: true
        );
        var summary = TrainRun
            .Run(config, sub, cancel: cancel, extraObservers: observers)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        sub.Complete();
        var (result, _) = AnalyzeRun.Run(sub.Path, options ?? new AnalyzeOptions(), cancel: cancel);
        return new SubRun(sub.Path, summary, result);
    }

    /// <summary>
    /// A gradient-descent step size relative to the stable one of the initial kernel: η = fraction · n /
    /// λ_max(K_SS(w₀)) (K_SS ≈ traced/p for p outputs) for ½-MSE with the 1/n average (the top mode relaxes by
    /// the factor 1 − fraction per step; fraction ≥ 2 diverges, or catapults, at initialization).
    /// </summary>
    public static double StableStep(TrainConfig config, double fraction)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var task = config.Task.Create(config.Seed);
        var model = new Models.Mlp(config.Model, Seeds.Generator(config.Seed + 1));
        using var k = Kernels.Ntk.Compute(model, task.TrainX, options: new Kernels.NtkOptions { Traced = true });
        using var top = Kernels.Lanczos.TopEigenpairs(v => k.Kss.matmul(v), k.Kss.shape[0], 1);
        // The traced kernel sums the p output blocks, which an MLP's output layer makes (nearly) equal and independent:
        // λ_max of the full n·p kernel is about λ_max(traced)/p.
        long outputs = task.TrainY.shape[1];
        return fraction * task.TrainX.shape[0] * outputs / top.Values[0].item<double>();
    }

    /// <summary>A number from the training summary.</summary>
    public double Number(string key) =>
        Convert.ToDouble(Summary[key], System.Globalization.CultureInfo.InvariantCulture);
}
