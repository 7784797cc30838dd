using ScottPlot;
using Tangent.Data;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>
/// The grokking-transformer experiment of <c>tangent study snr-adamw</c>: on a·b⁻¹ mod p as token sequences, the
/// steps AdamW and each SnrAdamW gate take to 99 % training and 95 % held-out accuracy, each (optimizer, fraction,
/// learning rate, seed) a checkpointed sub-run of the runner, so an interrupted study resumes mid-run.
/// </summary>
internal static class SnrAdamWGrokking
{
    /// <summary>The preprint's reported steps to 95 % held-out accuracy at a 25 % training fraction.</summary>
    public const int ReportedGateSteps = 5_950,
        ReportedAdamWSteps = 29_450;

    /// <summary>One finished sub-run.</summary>
    public sealed record GrokRun(
        double Fraction,
        string Arm,
        double Lr,
        int Seed,
        int Budget,
        int? StepsToTrain,
        int? StepsToHeldOut,
        IReadOnlyList<TrainingMetrics> Metrics,
        double Seconds
    )
    {
        /// <summary>Steps to the held-out target, censored at the budget + 1 when not reached.</summary>
        public double Censored => StepsToHeldOut ?? Budget + 1.0;
    }

    /// <summary>The sub-run's config: Power et al.'s task, model and optimizer, with the arm's gate.</summary>
    public static TrainConfig ConfigOf(SnrAdamWGrokkingConfig g, long seed, double fraction, string arm, double lr)
    {
        var task = new TaskConfig
        {
            Kind = "modular",
            Modulus = g.Modulus,
            Operation = "div",
            TrainFraction = fraction,
            Sequence = true,
        };
        return new TrainConfig
        {
            Task = task,
            Model = new MlpConfig
            {
                Type = "transformer",
                Widths = [g.Modulus + 1, g.Width, g.Modulus],
                Layers = g.Layers,
                Heads = g.Heads,
                Tokens = 3,
            },
            Optimizer = new OptimizerConfig
            {
                Kind = arm == "adamw" ? OptimizerKind.AdamW : OptimizerKind.SnrAdamW,
                Gate = arm switch
                {
                    "snr" => GateKind.Snr,
                    "hard" => GateKind.Hard,
                    "exact" or "exact_finite" => GateKind.Exact,
                    _ => GateKind.Soft,
                },
                ExactAlpha = arm == "exact_finite" ? FiniteAlpha(g.BatchSize, g.TrainPairs(fraction)) : null,
                Lr = lr,
                Beta2 = g.Beta2,
                WeightDecay = g.WeightDecay,
                Schedule = ScheduleKind.Warmup,
                WarmupSteps = g.WarmupSteps,
            },
            Loss = LossKind.CrossEntropy,
            BatchSize = g.BatchSize,
            Steps = g.BudgetOf(arm),
            LogEvery = g.EvaluateEvery,
            RiskEstimate = false,
            CheckpointEvery = g.CheckpointEvery,
            StopAtTestMetric = g.HeldOutTarget,
            Dtype = g.Dtype == "float64" ? null : g.Dtype,
            Seed = seed,
        };
    }

    /// <summary>α = b/(n − b), the finite-data variant's noise multiple (THEORY §5).</summary>
    public static double FiniteAlpha(int batch, int n) => (double)batch / (n - batch);

    /// <summary>Trains every sub-run (reading finished ones back, resuming interrupted ones).</summary>
    public static List<GrokRun> TrainAll(
        SnrAdamWGrokkingConfig g,
        long seed,
        RunDirectory run,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        var plan = (
            from f in g.TrainFractions
            from arm in g.Arms
            from lr in g.LearningRates
            from s in Enumerable.Range(0, g.Seeds)
            select (
                f,
                arm,
                lr,
                s,
                Arm: new Arm(
                    $"grok-{f * 100:0.##}-{arm}-lr{lr:G3}-s{s}",
                    new RunSpec { Config = ConfigOf(g, seed + s, f, arm, lr) }
                )
            )
        ).ToList();
        foreach (var p in plan)
            p.Arm.Spec.Validate();
        var runs = new List<GrokRun>();
        for (int i = 0; i < plan.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var (f, arm, lr, s, spec) = plan[i];
            progress?.Report(new ProgressReport("grokking", (double)i / plan.Count, spec.Name));
            var result = Runner.RunArm(run, spec, cancel);
            result.Model.Dispose();
            int? First(Func<TrainingMetrics, bool> reached) =>
                result.Metrics.Where(reached).Select(m => (int?)m.Step).FirstOrDefault();
            runs.Add(
                new GrokRun(
                    f,
                    arm,
                    lr,
                    s,
                    spec.Spec.Config.Steps,
                    First(m => m.TrainMetric >= g.TrainTarget),
                    First(m => m.TestMetric >= g.HeldOutTarget),
                    result.Metrics,
                    result.Number("training_seconds")
                )
            );
        }
        progress?.Report(new ProgressReport("grokking", 1, $"{plan.Count} runs"));
        return runs;
    }

    /// <summary>Per fraction, each arm's runs at its best learning rate: the lowest median censored steps to the
    /// held-out target, ties broken by the higher median final held-out accuracy.</summary>
    public static Dictionary<(double, string), List<GrokRun>> Best(SnrAdamWGrokkingConfig g, List<GrokRun> runs) =>
        (
            from f in g.TrainFractions
            from arm in g.Arms
            select (
                Key: (f, arm),
                Runs: g.LearningRates.Select(lr => runs.Where(r => r.Fraction == f && r.Arm == arm && r.Lr == lr))
                    .Select(rs => rs.ToList())
                    .OrderBy(rs => Statistics.Median(rs.Select(r => r.Censored)))
                    .ThenByDescending(rs => Statistics.Median(rs.Select(r => r.Metrics[^1].TestMetric)))
                    .First()
            )
        ).ToDictionary(x => x.Key, x => x.Runs);

    /// <summary>The verdict and summary fields of one training fraction.</summary>
    public static (Verdict Verdict, List<KeyValuePair<string, object?>> Summary) Judge(
        SnrAdamWGrokkingConfig g,
        double fraction,
        Dictionary<(double, string), List<GrokRun>> best,
        double threshold
    )
    {
        string tag = $"{fraction * 100:0.##}";
        double Median(string arm) => Statistics.Median(best[(fraction, arm)].Select(r => r.Censored));
        bool Reached(string arm) => Median(arm) <= best[(fraction, arm)][0].Budget;
        var gates = g.Arms.Where(a => a != "adamw").ToList();
        // The fastest gate that reaches the target; if none does, the one closest to it at the end.
        string bestGate = gates
            .OrderByDescending(Reached)
            .ThenBy(Median)
            .ThenByDescending(a => Statistics.Median(best[(fraction, a)].Select(r => r.Metrics[^1].TestMetric)))
            .First();
        double adam = Median("adamw"),
            gate = Median(bestGate);
        double speedup = Reached(bestGate) ? adam / gate : double.NaN;
        string text =
            !Reached(bestGate) ? $"no gate reaches {g.HeldOutTarget:P0} held-out accuracy within its budget (median)"
            : Reached("adamw")
                ? $"AdamW {adam:0} steps (lr {best[(fraction, "adamw")][0].Lr}), {bestGate} gate {gate:0} (lr "
                    + $"{best[(fraction, bestGate)][0].Lr}): {speedup:F2}×"
            : $"AdamW does not reach it within {best[(fraction, "adamw")][0].Budget} steps; {bestGate} gate "
                + $"{gate:0}: at least {speedup:F2}×";
        var criterion = new Criterion(
            "AdamW steps / SnrAdamW steps to the held-out target",
            Comparison.AtLeast,
            threshold,
            "speedup"
        );
        var verdict = criterion.Verdict(
            $"grokking_speedup_{tag}",
            $"SnrAdamW reaches {g.HeldOutTarget:P0} held-out accuracy on a·b⁻¹ mod {g.Modulus} with {tag} % of the "
                + $"pairs at least {threshold}× sooner than AdamW (reported at 25 %: {ReportedGateSteps:N0} against "
                + $"{ReportedAdamWSteps:N0} steps, 4.9×)",
            text + $"; median over {g.Seeds} seed(s) at each optimizer's best learning rate",
            speedup
        );
        var summary = new List<KeyValuePair<string, object?>>
        {
            new($"grokking_{tag}_best_gate", bestGate),
            new($"grokking_{tag}_speedup", double.IsFinite(speedup) ? speedup : null),
            new($"grokking_{tag}_speedup_is_lower_bound", Reached(bestGate) && !Reached("adamw")),
        };
        foreach (string arm in g.Arms)
        {
            var rs = best[(fraction, arm)];
            summary.Add(new($"grokking_{tag}_{arm}_lr", rs[0].Lr));
            summary.Add(new($"grokking_{tag}_{arm}_median_steps_held_out", Reached(arm) ? Median(arm) : null));
            var train = rs.Select(r => r.StepsToTrain).ToList();
            summary.Add(
                new(
                    $"grokking_{tag}_{arm}_median_steps_train",
                    train.All(t => t is not null) ? Statistics.Median(train.Select(t => (double)t!.Value)) : null
                )
            );
            summary.Add(
                new($"grokking_{tag}_{arm}_final_held_out", Statistics.Median(rs.Select(r => r.Metrics[^1].TestMetric)))
            );
        }
        return (verdict, summary);
    }

    /// <summary>The report section: accuracy curves per fraction and the table of every sub-run.</summary>
    public static void Report(
        SnrAdamWGrokkingConfig g,
        RunDirectory run,
        HtmlReport report,
        List<GrokRun> runs,
        Dictionary<(double, string), List<GrokRun>> best
    )
    {
        var palette = new[]
        {
            Colors.Black,
            Colors.Crimson,
            Colors.Navy,
            Colors.SeaGreen,
            Colors.Orange,
            Colors.Purple,
        };
        report
            .Heading("Grokking transformer")
            .Paragraph(
                $"a·b⁻¹ mod {g.Modulus} as token sequences [a, b, =]; decoder-only transformer, {g.Layers} layers, "
                    + $"width {g.Width}, {g.Heads} heads (Power et al. 2022); cross-entropy, batch {g.BatchSize}, "
                    + $"β₂ = {g.Beta2}, weight decay {g.WeightDecay}, {g.WarmupSteps} warm-up steps, {g.Dtype}. "
                    + $"Each optimizer is tuned over lr ∈ {{{string.Join(", ", g.LearningRates)}}}; accuracy on the "
                    + $"whole training set and on every held-out pair every {g.EvaluateEvery} steps; a run stops at "
                    + $"{g.HeldOutTarget:P0} held-out accuracy or at its budget ({g.MaxSteps:N0} steps"
                    + (g.ExactMaxSteps > 0 ? $", exact gates {g.ExactMaxSteps:N0}" : "")
                    + "). exact_finite is the exact gate with α = b/(n − b) in place of 1/(b − 1)."
            );
        foreach (double f in g.TrainFractions)
        {
            string tag = $"{f * 100:0.##}";
            var plot = Figure.NewPlot($"a·b⁻¹ mod {g.Modulus}, {tag} % training pairs", "step", "accuracy");
            for (int a = 0; a < g.Arms.Count; a++)
            {
                var r = best[(f, g.Arms[a])][0];
                var x = r.Metrics.Select(m => (double)m.Step).ToArray();
                var test = plot.Add.ScatterLine(x, r.Metrics.Select(m => m.TestMetric).ToArray());
                test.Color = palette[a % palette.Length];
                test.LineWidth = 2;
                test.LegendText = $"{g.Arms[a]} held-out (lr {r.Lr})";
                var train = plot.Add.ScatterLine(x, r.Metrics.Select(m => m.TrainMetric).ToArray());
                train.Color = palette[a % palette.Length];
                train.LinePattern = LinePattern.Dotted;
            }
            var target = plot.Add.HorizontalLine(g.HeldOutTarget);
            target.Color = Colors.Gray;
            target.LinePattern = LinePattern.Dashed;
            plot.Axes.SetLimitsY(0, 1.02);
            plot.ShowLegend(Alignment.LowerRight);
            var figure = Figure.Render(
                plot,
                $"grokking_{tag.Replace('.', '_')}",
                $"Held-out accuracy (solid) and training accuracy (dotted), seed 0 at each optimizer's best learning "
                    + $"rate; dashed: the {g.HeldOutTarget:P0} target."
            );
            run.WriteFigure(figure.Name, figure.Svg, figure.Png);
            report.Figure(figure);
        }
        string Steps(int? s, int budget) => s is { } v ? $"{v:N0}" : $"> {budget:N0}";
        report.Table(
            [
                "train fraction",
                "optimizer",
                "lr",
                "seed",
                $"steps to {g.TrainTarget:P0} train",
                $"steps to {g.HeldOutTarget:P0} held-out",
                "final held-out",
                "mean gate (last)",
                "seconds",
            ],
            runs.Select(r =>
                (IReadOnlyList<string>)
                    [
                        $"{r.Fraction:P0}",
                        r.Arm,
                        $"{r.Lr}",
                        $"{r.Seed}",
                        Steps(r.StepsToTrain, r.Budget),
                        Steps(r.StepsToHeldOut, r.Budget),
                        $"{r.Metrics[^1].TestMetric:P1}",
                        r.Metrics.LastOrDefault(m => m.MeanGate is not null)?.MeanGate is { } q ? $"{q:F3}" : "",
                        $"{r.Seconds:0}",
                    ]
            )
        );
    }
}
