using ScottPlot;
using Tangent.Data;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>Runs the grid and writes the comparison.</summary>
public static class GrokkingBenchmark
{
    /// <summary>The reported result to set beside ours (THEORY §6): 5,950 steps with the gate against 29,450 for
    /// AdamW.</summary>
    public const double ReportedRatio = 29_450.0 / 5_950.0;

    /// <summary>Trains every (optimizer, learning rate, seed) and writes metrics, summary, figure and report.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> Run(
        GrokkingConfig config,
        RunDirectory run,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        config.Validate();
        var optimizers = new[] { OptimizerKind.AdamW, OptimizerKind.SnrAdamW };
        var results = new List<GrokkingRun>();
        int total = optimizers.Length * config.LearningRates.Count * config.Seeds,
            done = 0;
        foreach (var optimizer in optimizers)
        foreach (var lr in config.LearningRates)
            for (int seed = 0; seed < config.Seeds; seed++)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report(
                    new ProgressReport("runs", (double)done++ / total, $"{optimizer} lr {lr} seed {seed}")
                );
                var train = config.Run(optimizer, lr, seed).Validate();
                using var task = train.Task.Create(train.Seed);
                var model = new Mlp(train.Model, Seeds.Generator(train.Seed + 1));
                var curve = Runner.Train(new RunSpec { Config = train }, model, task, cancel: cancel);
                int? reached = curve.FirstOrDefault(m => m.TestMetric >= config.Target)?.Step;
                int fit = curve.FirstOrDefault(m => m.TrainMetric >= 0.999)?.Step ?? -1;
                results.Add(new GrokkingRun(optimizer, lr, seed, reached, fit, curve[^1].TestMetric, curve));
            }

        double Median(IEnumerable<GrokkingRun> runs) =>
            Statistics.Median(runs.Select(r => (double)(r.StepsToTarget ?? int.MaxValue)));
        var best = optimizers.ToDictionary(
            o => o,
            o =>
                config
                    .LearningRates.Select(lr =>
                        (Lr: lr, Median: Median(results.Where(r => r.Optimizer == o && r.Lr == lr)))
                    )
                    .OrderBy(t => t.Median)
                    .First()
        );
        string Describe(double median) => median >= int.MaxValue ? $"not reached in {config.MaxSteps}" : $"{median:0}";
        double adam = best[OptimizerKind.AdamW].Median,
            snr = best[OptimizerKind.SnrAdamW].Median;
        double? ratio = adam < int.MaxValue && snr < int.MaxValue ? adam / snr : null;

        run.WriteMetrics(
            ["optimizer", "lr", "seed", "steps_to_target", "steps_to_train_fit", "final_test_accuracy"],
            results.Select(r =>
                (IReadOnlyList<double?>)
                    [
                        r.Optimizer == OptimizerKind.AdamW ? 0 : 1,
                        r.Lr,
                        r.Seed,
                        r.StepsToTarget,
                        r.StepsToTrainFit,
                        r.FinalTestAccuracy,
                    ]
            )
        );
        var summary = new List<KeyValuePair<string, object?>>
        {
            new(
                "setting",
                $"{config.Operation} mod {config.Modulus}, train fraction {config.TrainFraction}, x² MLP width "
                    + $"{config.Width}, full batch, cross-entropy, wd {config.WeightDecay}, β₂ {config.Beta2}"
            ),
            new("target_test_accuracy", config.Target),
            new("adamw_best_lr", best[OptimizerKind.AdamW].Lr),
            new("adamw_median_steps", adam < int.MaxValue ? adam : null),
            new("snr_adamw_best_lr", best[OptimizerKind.SnrAdamW].Lr),
            new("snr_adamw_median_steps", snr < int.MaxValue ? snr : null),
            new("speedup_adamw_over_snr", ratio),
            new("reported_speedup", ReportedRatio),
            new("seeds", config.Seeds),
            new("max_steps", config.MaxSteps),
        };
        run.WriteSummary(summary);

        var plot = Figure.NewPlot(
            "Held-out accuracy: AdamW against SnrAdamW (best learning rates)",
            "step + 1",
            "accuracy"
        );
        foreach (
            var (o, color) in new[] { (OptimizerKind.AdamW, Colors.Navy), (OptimizerKind.SnrAdamW, Colors.Crimson) }
        )
        {
            foreach (var r in results.Where(r => r.Optimizer == o && r.Lr == best[o].Lr))
            {
                var x = r.Curve.Select(m => Math.Log10(m.Step + 1)).ToArray();
                var test = plot.Add.ScatterLine(x, r.Curve.Select(m => m.TestMetric).ToArray());
                test.Color = color;
                test.LineWidth = 2;
                var trainLine = plot.Add.ScatterLine(x, r.Curve.Select(m => m.TrainMetric).ToArray());
                trainLine.Color = color;
                trainLine.LinePattern = LinePattern.Dotted;
                if (r.Seed == 0)
                {
                    test.LegendText = $"{o} test (lr {r.Lr})";
                    trainLine.LegendText = $"{o} train";
                }
            }
        }
        var target = plot.Add.HorizontalLine(config.Target);
        target.Color = Colors.Gray;
        target.LinePattern = LinePattern.Dashed;
        Figure.LogX(plot);
        plot.Axes.SetLimitsY(0, 1.02);
        plot.ShowLegend(Alignment.LowerRight);
        var figure = Figure.Render(
            plot,
            "grokking",
            "Train (dotted) and held-out (solid) accuracy of every seed at each optimizer's best learning rate; "
                + $"dashed: the {config.Target:P0} target."
        );
        run.WriteFigure(figure.Name, figure.Svg, figure.Png);
        run.WriteReport(
            new HtmlReport("Tangent grokking benchmark: AdamW against SnrAdamW")
                .Paragraph(
                    $"Setting: {summary[0].Value}. Each optimizer tuned over learning rates "
                        + $"{string.Join(", ", config.LearningRates)}; steps to {config.Target:P0} held-out accuracy "
                        + $"(evaluated every {config.EvaluateEvery} steps), median over {config.Seeds} seeds; runs "
                        + $"that do not get there within {config.MaxSteps} steps count as not reached."
                )
                .Paragraph(
                    $"AdamW: {Describe(adam)} steps (lr {best[OptimizerKind.AdamW].Lr}). SnrAdamW ({config.Gate} "
                        + $"gate, published defaults): {Describe(snr)} steps (lr {best[OptimizerKind.SnrAdamW].Lr}). "
                        + (
                            ratio is { } q
                                ? $"AdamW/SnrAdamW = {q:F2}×"
                                : "No ratio: one optimizer did not reach the target."
                        )
                        + " Reported in the secondary literature for division mod 97 at 25 %: 29,450 / 5,950 ≈ "
                        + $"{ReportedRatio:F1}×."
                )
                .Table(
                    ["optimizer", "lr", "seed", "steps to target", "steps to 100 % train", "final held-out accuracy"],
                    results.Select(r =>
                        (IReadOnlyList<string>)
                            [
                                r.Optimizer.ToString(),
                                $"{r.Lr}",
                                $"{r.Seed}",
                                r.StepsToTarget?.ToString() ?? $"> {config.MaxSteps}",
                                r.StepsToTrainFit >= 0 ? $"{r.StepsToTrainFit}" : "—",
                                HtmlReport.Number(r.FinalTestAccuracy),
                            ]
                    )
                )
                .Figure(figure)
                .Build()
        );
        progress?.Report(new ProgressReport("runs", 1, "done"));
        return summary;
    }
}
