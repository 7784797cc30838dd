using ScottPlot;
using Tangent.Channel;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

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
        double Seconds,
        IReadOnlyList<(int Step, UpdateSpectrum Spectrum)> Spectra,
        IReadOnlyList<(string Name, long Size)> Tensors
    )
    {
        /// <summary>The steps the run took: to the held-out target, or all it logged.</summary>
        public int Horizon => StepsToHeldOut ?? Metrics[^1].Step;

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
            RiskEstimate = true,
            RiskEvery = g.RiskEvery == 1 ? null : g.RiskEvery,
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
            var (result, spectra) = Train(g, run, spec, cancel);
            var tensors = result.Model.named_parameters().Select(q => (q.name, q.parameter.numel())).ToList();
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
                    result.Number("training_seconds"),
                    spectra,
                    tensors
                )
            );
        }
        progress?.Report(new ProgressReport("grokking", 1, $"{plan.Count} runs"));
        return runs;
    }

    /// <summary>The file of a finished sub-run's sampled update spectra (see <see cref="UpdateSpectrum"/>).</summary>
    public const string SpectraFile = "update_spectra.json";

    /// <summary>
    /// One sub-run through the runner. With <c>split_every</c> &gt; 0 a probe samples, every k steps, the Jacobian J of
    /// the per-example losses on m fixed training pairs and Adam's preconditioner M before the update, then the
    /// update taken and the same update without the gate, and resolves both in the eigenbasis of K = J M Jᵀ; the
    /// spectra are written beside the finished run, which a rerun then reads back instead of training again.
    /// </summary>
    private static (RunResult Result, IReadOnlyList<(int, UpdateSpectrum)> Spectra) Train(
        SnrAdamWGrokkingConfig g,
        RunDirectory run,
        Arm arm,
        CancellationToken cancel
    )
    {
        if (g.SplitEvery == 0)
            return (Runner.RunArm(run, arm, cancel), []);
        string path = System.IO.Path.Combine(run.Path, arm.Name, SpectraFile);
        if (Runner.IsDone(System.IO.Path.Combine(run.Path, arm.Name), arm.Spec.Config) && File.Exists(path))
        {
            var stored = Json.Deserialize<List<SampledSpectrum>>(File.ReadAllText(path));
            return (Runner.RunArm(run, arm, cancel), stored.Select(x => (x.Step, x.Spectrum)).ToList());
        }
        var spectra = new List<(int, UpdateSpectrum)>();
        (int Step, Tensor J, Tensor M)? pending = null;
        long n = 0;
        List<long> rows = [];
        var probe = new StepObserver(state =>
        {
            state.Optimizer.KeepUpdates = true;
            if (pending is { } p && state.Optimizer.LastUpdate is { } taken)
            {
                spectra.Add((p.Step, UpdateSpectrum.Of(p.J, p.M, taken, state.Optimizer.LastUngatedUpdate!)));
                p.J.Dispose();
                p.M.Dispose();
                pending = null;
            }
            if (state.Step == 0 || state.Step % g.SplitEvery != 0 || state.Final)
                return;
            if (rows.Count == 0)
            {
                n = state.Task.TrainX.shape[0];
                rows = Enumerable.Range(0, g.SplitRows).Select(i => (long)i * n / g.SplitRows).ToList();
            }
            var parameters = state.Model.parameters().Select(q => (Tensor)q).ToList();
            Tensor j;
            using (NewDisposeScope())
            {
                var index = tensor(rows.ToArray());
                var losses = Losses.PerSample(
                    state.Loss,
                    state.Model.call(state.Task.TrainX.index_select(0, index)),
                    state.Task.TrainY.index_select(0, index)
                );
                j = ParameterJacobian
                    .Rows(losses, parameters, Enumerable.Range(0, rows.Count).Select(i => (long)i).ToList())
                    .DetachFromDisposeScope();
            }
            pending = (state.Step, j, state.Optimizer.Preconditioner().DetachFromDisposeScope());
        });
        RunResult result;
        try
        {
            result = Runner.RunArm(run, arm with { Spec = arm.Spec with { Probes = [probe] } }, cancel);
        }
        finally
        {
            if (pending is { } left)
            {
                left.J.Dispose();
                left.M.Dispose();
            }
        }
        AtomicFile.WriteAllText(
            path,
            Json.Serialize(spectra.Select(x => new SampledSpectrum(x.Item1, x.Item2)).ToList())
        );
        return (result, spectra);
    }

    private sealed record SampledSpectrum(int Step, UpdateSpectrum Spectrum);

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
    public static (List<Verdict> Verdicts, List<KeyValuePair<string, object?>> Summary) Judge(
        SnrAdamWGrokkingConfig g,
        double fraction,
        Dictionary<(double, string), List<GrokRun>> best,
        double threshold,
        double removedThreshold
    )
    {
        string tag = $"{fraction * 100:0.##}";
        double Median(string arm) => Statistics.Median(best[(fraction, arm)].Select(r => r.Censored));
        bool Reached(string arm) => Median(arm) <= best[(fraction, arm)][0].Budget;
        // The fastest gate that reaches the target; if none does, the one closest to it at the end.
        string bestGate = BestGate(g, fraction, best);
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
        // The best gate's sampled updates, split at each run's own horizon T: λ⋆ = m/(ηT) (see LambdaStar).
        var splits = best[(fraction, bestGate)].SelectMany(Splits).ToList();
        var removedShares = splits.Select(x => x.Split.Removed).Where(double.IsFinite).ToList();
        double removed = removedShares.Count > 0 ? Statistics.Median(removedShares) : double.NaN;
        double MedianOf(Func<UpdateSplit, double> pick) =>
            splits.Count > 0 ? Statistics.Median(splits.Select(x => pick(x.Split))) : double.NaN;
        // How far the kernel's smallest sampled eigenvalue sits above λ⋆: ≥ 1 means no reservoir among the m
        // pairs.
        var floors = best[(fraction, bestGate)]
            .SelectMany(r =>
                r.Spectra.Select(x =>
                    x.Spectrum.Eigenvalues.Min()
                    / LambdaStar(x.Spectrum.Eigenvalues.Count, r.Lr, Math.Max(1, r.Horizon))
                )
            )
            .ToList();
        double floor = floors.Count > 0 ? Statistics.Median(floors) : double.NaN;
        string empty =
            floor >= 1 ? $"; the reservoir is empty: the smallest eigenvalue is {floor:G3}× λ⋆ (median)"
            : double.IsFinite(floor) ? $"; smallest eigenvalue {floor:G3}× λ⋆ (median)"
            : "";
        var reservoir = new Criterion(
            "median channel share of the removed update",
            Comparison.Below,
            removedThreshold,
            "removed_channel_share"
        ).Verdict(
            $"grokking_gate_removes_reservoir_updates_{tag}",
            $"On the grokking transformer ({tag} % of the pairs) the gate removes mostly reservoir-directed update "
                + "components: the motion of the per-example training losses it takes away lies mostly outside the "
                + "channel of K = J M Jᵀ (λ ≥ λ⋆ = m/(ηT) on m sampled pairs, T the run's steps)",
            splits.Count == 0
                ? "no split was sampled (split_every = 0, or the runs stopped first)"
                : $"{bestGate} gate, {splits.Count} sampled steps, channel "
                    + $"{MedianOf(x => x.ChannelSize):0} of {splits[0].Split.Outputs} directions: channel share of "
                    + $"the removed motion {removed:P1}, of the update taken {MedianOf(x => x.Taken):P1}, of the "
                    + $"ungated update {MedianOf(x => x.Ungated):P1}; the gate removed "
                    + $"{MedianOf(x => x.RemovedNorm):P1} of the ungated motion (medians)"
                    + empty,
            removed
        );
        var summary = new List<KeyValuePair<string, object?>>
        {
            new($"grokking_{tag}_best_gate", bestGate),
            new($"grokking_{tag}_removed_channel_share", double.IsFinite(removed) ? removed : null),
            new($"grokking_{tag}_taken_channel_share", Finite(MedianOf(x => x.Taken))),
            new($"grokking_{tag}_ungated_channel_share", Finite(MedianOf(x => x.Ungated))),
            new($"grokking_{tag}_removed_motion", Finite(MedianOf(x => x.RemovedNorm))),
            new($"grokking_{tag}_lambda_min_over_lambda_star", Finite(floor)),
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
            summary.Add(
                new(
                    $"grokking_{tag}_{arm}_final_held_out_loss",
                    Statistics.Median(rs.Select(r => r.Metrics[^1].TestLoss))
                )
            );
            summary.Add(
                new(
                    $"grokking_{tag}_{arm}_final_risk_estimate",
                    Finite(Statistics.Median(rs.Select(r => r.Metrics[^1].RiskEstimate ?? double.NaN)))
                )
            );
        }
        return ([verdict, reservoir], summary);
    }

    private static double? Finite(double x) => double.IsFinite(x) ? x : null;

    /// <summary>
    /// λ⋆ = m/(ηT) on m sampled pairs: a mode of the full n × n loss kernel moves the per-example losses by
    /// about ηλ/n a step (L = mean ℓ), so T steps reach λ ≥ n/(ηT); on m of the n rows the leading eigenvalues
    /// scale by m/n (THEORY §2's λ⋆ ~ n/(ηT) at the sample's size).
    /// </summary>
    public static double LambdaStar(int m, double lr, int horizon) => m / (lr * horizon);

    /// <summary>The run's sampled updates split at its own λ⋆ = m/(ηT).</summary>
    public static IEnumerable<(int Step, UpdateSplit Split)> Splits(GrokRun r) =>
        r.Spectra.Select(x =>
            (x.Step, x.Spectrum.Split(LambdaStar(x.Spectrum.Eigenvalues.Count, r.Lr, Math.Max(1, r.Horizon))))
        );

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
        foreach (double f in g.TrainFractions)
            Why(g, run, report, f, best);
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

    /// <summary>The "why" of one fraction: the gate per tensor group, the risk estimate beside the held-out loss, and
    /// where the sampled updates land.</summary>
    private static void Why(
        SnrAdamWGrokkingConfig g,
        RunDirectory run,
        HtmlReport report,
        double f,
        Dictionary<(double, string), List<GrokRun>> best
    )
    {
        string tag = $"{f * 100:0.##}",
            file = tag.Replace('.', '_');
        var gates = Figure.NewPlot($"SnrAdamW gate per tensor group, {tag} % training pairs", "step", "mean gate q");
        var risk = Figure.NewPlot($"Risk estimate and held-out loss, {tag} % training pairs", "step", "loss");
        bool anyGates = false;
        foreach (string arm in g.Arms)
        {
            var r = best[(f, arm)][0];
            var x = r.Metrics.Select(m => (double)m.Step).ToArray();
            var held = risk.Add.ScatterLine(x, r.Metrics.Select(m => m.TestLoss).ToArray());
            held.LegendText = $"{arm}: held-out loss";
            held.LineWidth = 2;
            var estimate = risk.Add.ScatterLine(x, r.Metrics.Select(m => m.RiskEstimate ?? double.NaN).ToArray());
            estimate.LegendText = $"{arm}: risk estimate R̂";
            estimate.Color = held.Color;
            estimate.LinePattern = LinePattern.Dashed;
            var logged = r.Metrics.Where(m => m.Gates is not null).ToList();
            if (arm == "adamw" || logged.Count == 0 || arm != BestGate(g, f, best))
                continue;
            anyGates = true;
            foreach (var group in Groups(r.Tensors))
            {
                var line = gates.Add.ScatterLine(
                    logged.Select(m => (double)m.Step).ToArray(),
                    logged
                        .Select(m =>
                            group.Members.Sum(i => r.Tensors[i].Size * m.Gates!.Mean[i])
                            / group.Members.Sum(i => (double)r.Tensors[i].Size)
                        )
                        .ToArray()
                );
                line.LegendText = group.Name;
                line.LineWidth = 2;
            }
        }
        risk.ShowLegend(Alignment.UpperRight);
        var riskFigure = Figure.Render(
            risk,
            $"grokking_risk_{file}",
            "Held-out cross-entropy (solid) and the validation-free population-risk estimate R̂ from the training "
                + $"batches alone (dashed; THEORY §5, an increment every {g.RiskEvery} steps standing for its "
                + $"{g.RiskEvery}), seed 0 at each optimizer's best learning rate."
        );
        run.WriteFigure(riskFigure.Name, riskFigure.Svg, riskFigure.Png);
        report.Figure(riskFigure);
        if (anyGates)
        {
            gates.Axes.SetLimitsY(0, 1.02);
            gates.ShowLegend(Alignment.LowerLeft);
            var gateFigure = Figure.Render(
                gates,
                $"grokking_gates_{file}",
                $"Mean gate of the best gate ({BestGate(g, f, best)}, seed 0) per tensor group (size-weighted over "
                    + "the blocks); layer_gates.csv of each sub-run has every tensor and its gated-off share."
            );
            run.WriteFigure(gateFigure.Name, gateFigure.Svg, gateFigure.Png);
            report.Figure(gateFigure);
        }
        var rows = g
            .Arms.SelectMany(a =>
                best[(f, a)].Where(r => r.Seed == 0).SelectMany(r => Splits(r).Select(x => (Arm: a, x.Step, x.Split)))
            )
            .ToList();
        if (rows.Count == 0)
            return;
        report
            .Paragraph(
                $"Where the updates land ({tag} %): every {g.SplitEvery} steps, the Jacobian J of the per-example "
                    + $"losses on {g.SplitRows} fixed training pairs and Adam's preconditioner M give "
                    + "K = J M Jᵀ; its channel is λ ≥ λ⋆ = m/(ηT), T the steps the run took. The update taken "
                    + "and the same update "
                    + "without the gate move the losses by J Δw; the table splits both and what the gate removed."
            )
            .Table(
                [
                    "optimizer",
                    "step",
                    "channel",
                    "taken in channel",
                    "ungated in channel",
                    "removed in channel",
                    "removed motion",
                ],
                rows.Select(x =>
                    (IReadOnlyList<string>)
                        [
                            x.Arm,
                            $"{x.Step}",
                            $"{x.Split.ChannelSize} of {x.Split.Outputs}",
                            $"{x.Split.Taken:P1}",
                            $"{x.Split.Ungated:P1}",
                            double.IsFinite(x.Split.Removed) ? $"{x.Split.Removed:P1}" : "nothing removed",
                            $"{x.Split.RemovedNorm:P1}",
                        ]
                )
            );
    }

    /// <summary>The fastest gate to the held-out target at fraction <paramref name="f"/>; if none reaches it, the one
    /// closest to it at the end.</summary>
    private static string BestGate(SnrAdamWGrokkingConfig g, double f, Dictionary<(double, string), List<GrokRun>> best)
    {
        double Median(string arm) => Statistics.Median(best[(f, arm)].Select(r => r.Censored));
        bool Reached(string arm) => Median(arm) <= best[(f, arm)][0].Budget;
        return g
            .Arms.Where(a => a != "adamw")
            .OrderByDescending(Reached)
            .ThenBy(Median)
            .ThenByDescending(a => Statistics.Median(best[(f, a)].Select(r => r.Metrics[^1].TestMetric)))
            .First();
    }

    /// <summary>Parameter tensors grouped by the module that holds them, over the blocks: "blocks.1.query.weight" and
    /// "blocks.0.query.bias" are both "query".</summary>
    private static IEnumerable<(string Name, List<int> Members)> Groups(IReadOnlyList<(string Name, long Size)> tensors)
    {
        static string GroupOf(string name)
        {
            var parts = name.Split('.');
            return parts.Length >= 2 ? parts[^2] : name;
        }
        return tensors
            .Select((t, i) => (Group: GroupOf(t.Name), Index: i))
            .GroupBy(x => x.Group)
            .Select(x => (x.Key, x.Select(y => y.Index).ToList()));
    }
}
