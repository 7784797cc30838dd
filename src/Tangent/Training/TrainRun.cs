using ScottPlot;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>
/// <c>tangent train</c>: builds the task and model of a <see cref="TrainConfig"/>, trains, records kernel snapshots when
/// the config has a <c>record</c> section, and writes metrics, arrays (inputs, targets, clean targets, label noise, final
/// outputs, parameters), a loss figure and the report into the run directory.
/// </summary>
public static class TrainRun
{
    /// <summary>Reads and validates a train config file; errors name the field.</summary>
    public static TrainConfig Load(string path)
    {
        ConfigException.Require(File.Exists(path), "--config", $"file '{path}' does not exist", "pass a JSON file such as docs/examples/train-teacher.json");
        TrainConfig config;
        try { config = Json.Deserialize<TrainConfig>(File.ReadAllText(path)); }
        catch (System.Text.Json.JsonException e)
        {
            throw new ConfigException("--config", $"'{path}' is not a valid train config: {e.Message.ReplaceLineEndings(" ")}", "see docs/config.md for the schema");
        }
        return config.Validate();
    }

    /// <summary>Runs <paramref name="config"/> into <paramref name="run"/>; returns the summary.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> Run(TrainConfig config, RunDirectory run, IProgress<ProgressReport>? progress = null,
                                                                 CancellationToken cancel = default)
    {
        config.Validate();
        using var task = config.Task.Create(config.Seed);
        var model = new Mlp(config.Model, new Generator((ulong)(config.Seed + 1)));
        var observers = new List<ITrainingObserver>();
        KernelRecorder? recorder = config.Record is null ? null : new KernelRecorder(config.Record, run, config);
        if (recorder is not null) observers.Add(recorder);

        run.WriteArray("train_x", task.TrainX);
        run.WriteArray("test_x", task.TestX);
        run.WriteArray("Y_S", task.TrainY);
        run.WriteArray("Y_S_clean", task.TrainClean);
        run.WriteArray("Y_Q", task.TestY);
        using (var noise = task.LabelNoise) run.WriteArray("label_noise", noise);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var metrics = Trainer.Run(config, task, model, observers, progress, cancel);
        double seconds = clock.Elapsed.TotalSeconds;
        run.WriteMetrics(["step", "train_loss", "train_metric", "test_loss", "test_metric", "weight_norm", "grad_norm", "lr"],
            metrics.Select(m => (IReadOnlyList<double?>)[m.Step, m.TrainLoss, m.TrainMetric, m.TestLoss, m.TestMetric, m.WeightNorm,
                                                         double.IsNaN(m.GradientNorm) ? null : m.GradientNorm, m.LearningRate]));
        Directory.CreateDirectory(Path.Combine(run.Path, "params"));
        ParameterFiles.Save(model, Path.Combine(run.Path, "params"));

        var last = metrics[^1];
        string metricName = config.Loss == LossKind.HalfMse ? "mse" : "accuracy";
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
        run.WriteSummary(summary);

        var plot = Figure.NewPlot("Loss", "step + 1", "loss");
        var x = metrics.Select(m => Math.Log10(m.Step + 1)).ToArray();
        var a = plot.Add.ScatterLine(x, metrics.Select(m => Math.Log10(Math.Max(m.TrainLoss, 1e-30))).ToArray()); a.LegendText = "train"; a.Color = Colors.Crimson; a.LineWidth = 2.5f;
        var b = plot.Add.ScatterLine(x, metrics.Select(m => Math.Log10(Math.Max(m.TestLoss, 1e-30))).ToArray()); b.LegendText = "test"; b.Color = Colors.SeaGreen; b.LineWidth = 2.5f;
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.LowerLeft);
        var figure = Figure.Render(plot, "loss", "Train and test loss against step (log–log).");
        run.WriteFigure(figure.Name, figure.Svg, figure.Png);
        run.WriteReport(new HtmlReport("Tangent train")
            .Paragraph($"Task {config.Task.Kind} (n = {config.Task.TrainSamples}, m = {config.Task.TestSamples}), model {string.Join("→", config.Model.Widths)} " +
                       $"{config.Model.Activation} ({config.Model.Parameterization}), {config.Optimizer.Kind} lr {config.Optimizer.Lr}, {config.Loss}, {config.Steps} steps" +
                       (config.BatchSize > 0 ? $", batch {config.BatchSize}" : ", full batch") +
                       (config.Record is null ? "." : $"; {config.Record.StepsFor(config.Steps).Count} kernel snapshots ({(config.Record.Traced ? "traced" : "full output space")}): run 'tangent analyze' on this directory."))
            .Heading("Summary")
            .Table(["quantity", "value"], summary.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value is double d ? HtmlReport.Number(d) : kv.Value?.ToString() ?? ""]))
            .Figure(figure)
            .Build());
        return summary;
    }
}
