using ScottPlot;
using Tangent.Data;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Runs;

/// <summary>
/// The one way to train: runs a <see cref="RunSpec"/> into a run directory (arrays, metrics.csv, parameters, summary,
/// figures, report; kernel snapshots when the config records them; checkpoints and resume), and a study's arms into
/// sub-directories, validated before any of them computes and skipped when already done.
/// </summary>
public static class Runner
{
    /// <summary>
    /// Trains <paramref name="spec"/> into <paramref name="run"/> (which the caller creates and, after, marks done) and
    /// returns the typed result. <paramref name="control"/>: resume from the run's checkpoint, or (tests) an interrupt
    /// at a given step; the spec's extension points are added to it.
    /// </summary>
    public static RunResult Run(
        RunSpec spec,
        RunDirectory run,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default,
        TrainerControl? control = null
    )
    {
        spec.Validate();
        var config = spec.Config;
        control = (control ?? new TrainerControl()) with
        {
            CheckpointRun = run.Path,
            OutputGradient = spec.GradientTransform,
            StopWhen = spec.StopWhen,
            Objective = spec.Objective,
            LearningRateField = spec.LearningRateField,
        };
        var model = spec.BuildModel();
        using var task = spec.BuildTask(model);
        if (config.Model.TakesShapedInputs())
        {
            long p = task.TrainY.shape[1];
            string field = config.Model.IsTorchScript() ? "model.path" : "model.widths";
            var (outputs, _) = ModelFactory.Probe(model, task.TrainX.shape, field);
            ConfigException.Require(
                outputs == p,
                field,
                $"the model returns {outputs} outputs per input, the task's targets have {p}",
                "return one output per target column (one for two classes, C for C > 2)"
            );
        }
        var observers = new List<ITrainingObserver>(spec.Probes);
        KernelRecorder? recorder = config.Record is null ? null : new KernelRecorder(config.Record, run, config);
        if (recorder is not null)
        {
            if (control.Resume)
                recorder.ContinueExisting();
            observers.Add(recorder);
        }

        run.WriteArray("train_x", task.TrainX);
        run.WriteArray("test_x", task.TestX);
        run.WriteArray("Y_S", task.TrainY);
        run.WriteArray("Y_S_clean", task.TrainClean);
        run.WriteArray("Y_Q", task.TestY);
        using (var noise = task.LabelNoise)
            run.WriteArray("label_noise", noise);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var metrics = Trainer.Run(config, task, model, observers, progress, cancel, control);
        double seconds = clock.Elapsed.TotalSeconds;
        MetricsTable.Write(run, metrics);
        Directory.CreateDirectory(Path.Combine(run.Path, "params"));
        ParameterFiles.Save(model, Path.Combine(run.Path, "params"));

        var last = metrics[^1];
        string metricName = config.Task.IsClassification ? "accuracy" : "mse";
        var summary = new List<KeyValuePair<string, object?>>
        {
            new("final_train_loss", last.TrainLoss),
            new("final_test_loss", last.TestLoss),
            new($"final_train_{metricName}", last.TrainMetric),
            new($"final_test_{metricName}", last.TestMetric),
            new("steps", config.Steps),
            new("snapshots", config.Record?.StepsFor(config.Steps).Count ?? 0),
            new("training_seconds", seconds - (recorder?.KernelSeconds ?? 0)),
            new("kernel_seconds", recorder?.KernelSeconds ?? 0),
        };
        var figures = new List<RenderedFigure>();
        if (config.RiskEstimate)
        {
            var test = metrics.Select(m => m.TestLoss).ToArray();
            var risk = metrics.Select(m => m.RiskEstimate!.Value).ToArray();
            var riskAlpha = metrics.Select(m => m.RiskEstimateAlpha!.Value).ToArray();
            summary.Add(new("risk_estimate_final", risk[^1]));
            summary.Add(new("risk_estimate_gap_mean", risk.Zip(test, (a, b) => Math.Abs(a - b)).Average()));
            summary.Add(new("risk_estimate_corr", Statistics.Pearson(risk, test)));
            summary.Add(new("risk_estimate_alpha_gap_mean", riskAlpha.Zip(test, (a, b) => Math.Abs(a - b)).Average()));
            summary.Add(new("risk_estimate_alpha_corr", Statistics.Pearson(riskAlpha, test)));
            figures.Add(RiskFigure(metrics));
        }
        if (metrics.Any(m => m.DriftNorm is not null))
        {
            var rows = metrics.Where(m => m.Step > 0 && m.DriftNorm is > 0 && m.DiffusionNorm is > 0).ToList();
            var logT = rows.Select(m => Math.Log(m.Step)).ToArray();
            summary.Add(new("drift_norm_final", rows[^1].DriftNorm));
            summary.Add(new("diffusion_norm_final", rows[^1].DiffusionNorm));
            summary.Add(
                new("drift_exponent", Statistics.Slope(logT, rows.Select(m => Math.Log(m.DriftNorm!.Value)).ToArray()))
            );
            summary.Add(
                new(
                    "diffusion_exponent",
                    Statistics.Slope(logT, rows.Select(m => Math.Log(m.DiffusionNorm!.Value)).ToArray())
                )
            );
            figures.Add(DriftFigure(rows));
        }
        if (config.Optimizer.Kind == OptimizerKind.SnrAdamW)
        {
            summary.Add(new("final_mean_gate", metrics[^1].MeanGate));
            summary.Add(new("final_gated_off_share", metrics[^1].GatedOffShare));
        }
        run.WriteSummary(summary);
        foreach (var f in figures)
            run.WriteFigure(f.Name, f.Svg, f.Png);
        if (Directory.Exists(Path.Combine(run.Path, "checkpoint")) && config.CheckpointEvery == 0)
            Directory.Delete(Path.Combine(run.Path, "checkpoint"), true);

        var figure = new CurveFigure
        {
            Name = "loss",
            Title = "Loss",
            XLabel = "step + 1",
            YLabel = "loss",
            Caption = "Train and test loss against step (log–log).",
            X = metrics.Select(m => m.Step + 1.0).ToList(),
            LogX = true,
            LogY = true,
            Floor = 1e-30,
            Curves =
            [
                new("train", Colors.Crimson, metrics.Select(m => m.TrainLoss).ToList()),
                new("test", Colors.SeaGreen, metrics.Select(m => m.TestLoss).ToList()),
            ],
        }.Render();
        run.WriteFigure(figure.Name, figure.Svg, figure.Png);
        var report = new HtmlReport("Tangent train")
            .Paragraph(
                $"Task {TaskText(config.Task)} (n = {task.TrainX.shape[0]}, m = {task.TestX.shape[0]}), model "
                    + (
                        config.Model.IsTorchScript()
                            ? $"TorchScript {config.Model.Path}"
                            : $"{string.Join("→", config.Model.Widths)} {config.Model.Activation} "
                                + $"({config.Model.Parameterization})"
                    )
                    + $", {config.Optimizer.Kind} lr "
                    + $"{config.Optimizer.Lr}, {config.Loss}, {config.Steps} steps"
                    + (config.BatchSize > 0 ? $", batch {config.BatchSize}" : ", full batch")
                    + (
                        config.Record is null
                            ? "."
                            : $"; {config.Record.StepsFor(config.Steps).Count} kernel snapshots "
                                + $"({(config.Record.Traced ? "traced" : "full output space")}): run 'tangent "
                                + "analyze' on this directory."
                    )
            )
            .Heading("Summary")
            .Summary(summary)
            .Figure(figure)
            .Paragraph(
                config.RiskEstimate
                    ? "Population-risk estimate (THEORY §5): R̂ starts at the training loss of the untrained model "
                        + "and adds −η Σ_k p_k (ĝ_k² − v_k/(b − 1)) per step from the batch's "
                        + "per-example gradients; the α variant uses b/(n − b). It is unbiased for fresh batches to "
                        + "first order in η; when batches repeat (epochs), the "
                        + "1/(b − 1) correction no longer removes what the model memorized, and the curve can drift "
                        + "below the held-out loss."
                    : ""
            );
        foreach (var f in figures)
            report.Figure(f);
        run.WriteReport(report.Build());
        var snapshots = config.Record is null ? null : SnapshotIndex.Read(run.Path);
        return new RunResult(run.Path, metrics, model, summary, snapshots, null, Reused: false);
    }

    /// <summary>
    /// Trains <paramref name="spec"/> in memory, on a model and task the caller built (from the spec or by hand), with
    /// no run directory: for the many small fits inside one study arm (memorization's refits, the demo, finite widths).
    /// Returns the metrics; <paramref name="model"/> ends with the final parameters.
    /// </summary>
    public static IReadOnlyList<TrainingMetrics> Train(
        RunSpec spec,
        nn.Module<Tensor, Tensor> model,
        TaskData task,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        var control = new TrainerControl
        {
            OutputGradient = spec.GradientTransform,
            StopWhen = spec.StopWhen,
            Objective = spec.Objective,
            LearningRateField = spec.LearningRateField,
        };
        return Trainer.Run(spec.Config, task, model, spec.Probes, progress, cancel, control);
    }

    /// <summary>
    /// Runs every arm into <c>parent/arm.Name</c>: first validates all their specs (so a bad sub-config fails before
    /// any compute), then trains each in turn (<see cref="RunArm"/>), reporting progress over the whole plan.
    /// </summary>
    public static IReadOnlyList<RunResult> RunArms(
        RunDirectory parent,
        IReadOnlyList<Arm> arms,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        foreach (var arm in arms)
            arm.Spec.Validate();
        var duplicate = arms.GroupBy(a => a.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"two arms are called '{duplicate.Key}'", nameof(arms));
        var results = new List<RunResult>();
        foreach (var arm in arms)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(new ProgressReport("arms", (double)results.Count / arms.Count, arm.Name));
            results.Add(RunArm(parent, arm, cancel));
        }
        progress?.Report(new ProgressReport("arms", 1, $"{arms.Count} runs"));
        return results;
    }

    /// <summary>
    /// Runs one arm into <c>parent/arm.Name</c>, marks it done and analyzes it when its spec asks. A finished run of
    /// the same config already there is read back instead (<see cref="RunResult.Reused"/>), unless the spec has probes
    /// that must see the steps. An unfinished run of the same config with a checkpoint (checkpoint_every &gt; 0) and no
    /// probes continues from it and ends bit for bit where an uninterrupted run would. A failed one is marked failed
    /// (resumable when it checkpoints) and the error rethrown.
    /// </summary>
    public static RunResult RunArm(RunDirectory parent, Arm arm, CancellationToken cancel = default)
    {
        var spec = arm.Spec.Validate();
        string path = System.IO.Path.Combine(parent.Path, arm.Name);
        if (spec.Reusable && IsDone(path, spec.Config))
            return Analyze(Load(spec, path), spec, cancel);
        bool resume = spec.Reusable && CanResume(path, spec.Config);
        var sub = resume
            ? RunDirectory.Reopen(path)
            : RunDirectory.Create(path, "train", spec.Config, spec.Config.Seed, overwrite: true);
        RunResult result;
        try
        {
            result = Run(spec, sub, cancel: cancel, control: new TrainerControl { Resume = resume });
            sub.Complete();
        }
        catch (Exception e)
        {
            sub.Fail(
                e is OperationCanceledException ? "interrupted" : e.Message.ReplaceLineEndings(" "),
                resumable: spec.Config.CheckpointEvery > 0
            );
            throw;
        }
        return Analyze(result, spec, cancel);
    }

    /// <summary>Whether <paramref name="path"/> holds an unfinished run of exactly <paramref name="config"/> with a
    /// checkpoint to continue from.</summary>
    public static bool CanResume(string path, TrainConfig config)
    {
        if (config.CheckpointEvery <= 0 || !File.Exists(System.IO.Path.Combine(path, RunDirectory.RunFile)))
            return false;
        try
        {
            var info = RunDirectory.Inspect(path);
            return info.Status != RunStatus.Done
                && info.Command == "train"
                && info.ConfigHash == RunDirectory.HashOf(config)
                && Checkpoint.Exists(path);
        }
        catch (ConfigException)
        {
            return false;
        }
    }

    /// <summary>Whether <paramref name="path"/> holds a finished run of exactly <paramref name="config"/>.</summary>
    public static bool IsDone(string path, TrainConfig config)
    {
        if (!File.Exists(System.IO.Path.Combine(path, RunDirectory.RunFile)))
            return false;
        try
        {
            var info = RunDirectory.Inspect(path);
            return info.Status == RunStatus.Done
                && info.Command == "train"
                && info.ConfigHash == RunDirectory.HashOf(config)
                && File.Exists(System.IO.Path.Combine(path, RunDirectory.MetricsFile))
                && File.Exists(System.IO.Path.Combine(path, RunDirectory.SummaryFile));
        }
        catch (ConfigException)
        {
            return false;
        }
    }

    /// <summary>Reads a finished run of <paramref name="spec"/> back: its metrics, summary, snapshot index and final
    /// parameters (loaded into a freshly built model).</summary>
    public static RunResult Load(RunSpec spec, string path)
    {
        var model = spec.BuildModel();
        ParameterFiles.Load(model, System.IO.Path.Combine(path, "params"));
        var summary = Json.ReadSummary(System.IO.Path.Combine(path, RunDirectory.SummaryFile));
        var snapshots = File.Exists(SnapshotIndex.PathIn(path)) ? SnapshotIndex.Read(path) : null;
        return new RunResult(path, MetricsTable.Read(path), model, summary, snapshots, null, Reused: true);
    }

    private static RunResult Analyze(RunResult result, RunSpec spec, CancellationToken cancel) =>
        spec.Analysis is null
            ? result
            : result with
            {
                Analysis = AnalyzeRun.Run(result.Path, spec.Analysis, cancel: cancel).Result,
            };

    private static string TaskText(TaskConfig task) =>
        task.Kind == "provided" ? $"provided ({task.Description})" : task.Kind;

    private static RenderedFigure RiskFigure(IReadOnlyList<TrainingMetrics> metrics) =>
        new CurveFigure
        {
            Name = "risk_estimate",
            Title = "Population-risk estimate against the held-out loss",
            XLabel = "step + 1",
            YLabel = "loss",
            Caption =
                "The validation-free population-risk estimate from the training batches alone, beside the "
                + "held-out loss it tries to track (log scale; negative estimates are drawn at the floor).",
            X = metrics.Select(m => m.Step + 1.0).ToList(),
            LogX = true,
            LogY = true,
            Curves =
            [
                new("held-out loss", Colors.SeaGreen, metrics.Select(m => m.TestLoss).ToList()),
                new("estimate, 1/(b − 1)", Colors.Navy, metrics.Select(m => m.RiskEstimate!.Value).ToList()),
                new(
                    "estimate, α = b/(n − b)",
                    Colors.Orange,
                    metrics.Select(m => m.RiskEstimateAlpha!.Value).ToList(),
                    Dashed: true
                ),
                new("train loss", Colors.Crimson, metrics.Select(m => m.TrainLoss).ToList(), Dashed: true),
            ],
        }.Render();

    private static RenderedFigure DriftFigure(IReadOnlyList<TrainingMetrics> rows)
    {
        var steps = rows.Select(m => (double)m.Step).ToList();
        var drift = rows.Select(m => m.DriftNorm!.Value).ToList();
        var diffusion = rows.Select(m => m.DiffusionNorm!.Value).ToList();
        // References through the first point: ∝ T for the drift, ∝ √T for the diffusion (THEORY §4).
        return new CurveFigure
        {
            Name = "drift_diffusion",
            Title = "Drift and diffusion of the updates",
            XLabel = "step",
            YLabel = "accumulated norm",
            Caption =
                "Norms of the accumulated full-batch (drift) and fluctuation (diffusion) parts of the minibatch "
                + "updates, with the T and √T references of THEORY §4.",
            X = steps,
            LogX = true,
            LogY = true,
            Floor = 1e-300,
            Legend = Alignment.UpperLeft,
            Curves =
            [
                new("drift Σ η∇L_S", Colors.Navy, drift),
                new("diffusion Σ η(ĝ − ∇L_S)", Colors.Crimson, diffusion),
                new("∝ T", Colors.SteelBlue, steps.Select(t => drift[0] * t / steps[0]).ToList(), Dashed: true),
                new(
                    "∝ √T",
                    Colors.LightCoral,
                    steps.Select(t => diffusion[0] * Math.Sqrt(t / steps[0])).ToList(),
                    Dashed: true
                ),
            ],
        }.Render();
    }
}
