using ScottPlot;
using Tangent.Channel;
using Tangent.Commands;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Memorization;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// Memorization (issue 8, study 3): (a) random labels — steps to fit the training set and held-out error against the
/// share of corrupted labels (Zhang et al. 2017); (b) Feldman–Zhang memorization scores from models trained on random
/// subsets, with 5 % of the labels flipped (flipped examples should score near 1, typical ones near 0), set against
/// each example's share in the reservoir of the full model's final kernel and its self-influence along the full model's
/// run; (c) drift and diffusion against batch size.
/// </summary>
public sealed class MemorizationStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "memorization";

    /// <inheritdoc/>
    public string Description =>
        "Memorization: (a) how long a network takes to fit Fashion-MNIST as more labels are randomized, and what "
        + "that does to held-out error; (b) Feldman–Zhang "
        + "memorization scores with 5 % flipped labels, against how much of each example lies in the reservoir of "
        + "the trained kernel — are memorized examples the reservoir's? "
        + "(c) SGD's drift and diffusion against the batch size (THEORY §4).";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new MemorizationConfig
            {
                TrainSamples = 200,
                TestSamples = 500,
                Width = 64,
                Corruptions = [0, 0.5, 1.0],
                SubsetModels = 8,
                MaxSteps = 1500,
                BatchSizes = [4, 16, 64],
                DriftSteps = 300,
            },
            "full" => new MemorizationConfig(),
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    /// <inheritdoc/>
    public StudyOutcome Run(
        object configObject,
        RunDirectory run,
        HtmlReport report,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        var c = (MemorizationConfig)configObject;
        ConfigException.Require(
            c.SubsetModels >= 4,
            "subset_models",
            $"need at least 4, got {c.SubsetModels}",
            "use e.g. 30"
        );
        var (x, labels) = FashionMnist.Load(c.Data, "train", c.TrainSamples);
        var (xq, labelsQ) = FashionMnist.Load(c.Data, "t10k", c.TestSamples);
        int n = (int)x.shape[0];
        var g = Seeds.Generator(c.Seed);
        var model = new MlpConfig
        {
            Widths = [784, c.Width, 10],
            WeightStd = Math.Sqrt(2),
            BiasStd = 0.1,
        };

        // (a) Random labels.
        var fits = new List<(double Corruption, int? Steps, double TestError)>();
        foreach (double r in c.Corruptions)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(
                new ProgressReport(
                    "random labels",
                    fits.Count / (double)(c.Corruptions.Count + c.SubsetModels + 1),
                    $"corruption {r:P0}"
                )
            );
            var corrupt = rand(new long[] { n }, dtype: ScalarType.Float64, generator: g).lt(r);
            var y = where(corrupt, randint(0, 10, new long[] { n }, generator: g), labels);
            var (steps, net, _, _) = LabelFit.Run(FitSettings(c), model, x, y, c.Seed + 10 + fits.Count, cancel);
            double err;
            using (no_grad())
                err = net.call(xq).argmax(1).ne(labelsQ).to_type(ScalarType.Float64).mean().item<double>();
            fits.Add((r, steps, err));
        }

        // (b) Feldman–Zhang scores with flipped labels.
        var flip = rand(new long[] { n }, dtype: ScalarType.Float64, generator: g).lt(c.FlipShare);
        var shift = randint(1, 10, new long[] { n }, generator: g);
        var noisy = where(flip, (labels + shift).remainder(10), labels);
        var estimator = FeldmanZhangEstimator.Estimate(
            FitSettings(c),
            model,
            x,
            noisy,
            c.SubsetModels,
            c.SubsetShare,
            g,
            c.Seed + 100,
            m =>
                progress?.Report(
                    new ProgressReport(
                        "memorization scores",
                        (c.Corruptions.Count + m) / (double)(c.Corruptions.Count + c.SubsetModels + 1),
                        $"model {m + 1}/{c.SubsetModels}"
                    )
                ),
            cancel
        );
        var score = estimator.Scores();
        bool[] flipped = flip.data<bool>().ToArray();
        var valid = Enumerable.Range(0, n).Where(i => !double.IsNaN(score[i])).ToList();
        double flippedMean = valid.Where(i => flipped[i]).Select(i => score[i]).DefaultIfEmpty(double.NaN).Average();
        double cleanMean = valid.Where(i => !flipped[i]).Select(i => score[i]).DefaultIfEmpty(double.NaN).Average();

        // Reservoir share of each example in the full model's final (output-traced) kernel: ‖Π_res e_i‖².
        progress?.Report(
            new ProgressReport(
                "reservoir",
                (c.Corruptions.Count + c.SubsetModels) / (double)(c.Corruptions.Count + c.SubsetModels + 1),
                "full model"
            )
        );
        var (_, full, selfInfluenceOrNull, _) = LabelFit.Run(FitSettings(c, true), model, x, noisy, c.Seed + 1, cancel);
        double[] selfInfluence = selfInfluenceOrNull!;
        double[] reservoirShare;
        using (var k = Ntk.Compute(full, x, null, new NtkOptions { Traced = true }))
        {
            using var split = SpectralPartition.Of(k.Kss, c.ReservoirThreshold);
            reservoirShare = split.ReservoirLeverage();
        }
        double corr = Statistics.Pearson(
            valid.Select(i => score[i]).ToArray(),
            valid.Select(i => reservoirShare[i]).ToArray()
        );
        double resFlipped = Enumerable
            .Range(0, n)
            .Where(i => flipped[i])
            .Select(i => reservoirShare[i])
            .DefaultIfEmpty(double.NaN)
            .Average();
        double resClean = Enumerable.Range(0, n).Where(i => !flipped[i]).Select(i => reservoirShare[i]).Average();
        double siRank = Statistics.Spearman(
            valid.Select(i => score[i]).ToArray(),
            valid.Select(i => selfInfluence[i]).ToArray()
        );
        double siFlipped = Enumerable
            .Range(0, n)
            .Where(i => flipped[i])
            .Select(i => selfInfluence[i])
            .DefaultIfEmpty(double.NaN)
            .Average();
        double siClean = Enumerable.Range(0, n).Where(i => !flipped[i]).Select(i => selfInfluence[i]).Average();
        double resRank = Statistics.Spearman(
            valid.Select(i => score[i]).ToArray(),
            valid.Select(i => reservoirShare[i]).ToArray()
        );

        var ordered = fits.Where(f => f.Steps is not null).ToList();
        var verdicts = new List<Verdict>
        {
            new(
                "random_labels_are_fit",
                "A network fits even completely random labels (Zhang et al. 2017)",
                "corruption 100 %: "
                    + (
                        fits[^1].Steps is { } s ? $"100 % train accuracy at step {s}" : $"not fit in {c.MaxSteps} steps"
                    ),
                "fit within the step budget",
                fits[^1].Steps is not null
            ),
            new(
                "fitting_slows_with_corruption",
                "Fitting takes longer the more labels are random",
                string.Join("; ", fits.Select(f => $"{f.Corruption:P0}: {f.Steps?.ToString() ?? "not fit"}")),
                "steps increase with corruption",
                fits.Zip(fits.Skip(1)).All(p => (p.Second.Steps ?? int.MaxValue) >= (p.First.Steps ?? int.MaxValue))
            ),
            new(
                "flipped_examples_are_memorized",
                "Flipped examples have Feldman–Zhang memorization scores near 1, typical ones near 0 (Feldman & "
                    + "Zhang 2020)",
                $"mean score: flipped {flippedMean:F2}, others {cleanMean:F2} ({c.SubsetModels} models on "
                    + $"{c.SubsetShare:P0} subsets)",
                "flipped > 0.5 and others < 0.2",
                flippedMean > 0.5 && cleanMean < 0.2
            ),
            new(
                "memorized_examples_live_in_the_reservoir",
                "Memorized examples lie in the reservoir of the trained kernel (THEORY §3)",
                $"reservoir share of an example: flipped {resFlipped:F3}, others {resClean:F3}; correlation with "
                    + $"the memorization score {corr:F2}",
                "flipped examples have a larger reservoir share and the correlation is positive",
                resFlipped > resClean && corr > 0
            ),
            new(
                "self_influence_tracks_memorization",
                "The theory's self-influence term (THEORY §5, accumulated per example along the run) marks the "
                    + "memorized examples",
                $"self-influence Σ_t (η/n) g_iᵀ M g_i: flipped {siFlipped:G3}, others {siClean:G3} "
                    + $"({siFlipped / siClean:F1}×); Spearman correlation with the memorization score {siRank:F2} "
                    + $"(reservoir share: {resRank:F2})",
                "flipped examples have a larger self-influence and the rank correlation is positive",
                siFlipped > siClean && siRank > 0
            ),
        };
        run.WriteMetrics(
            ["corruption", "steps_to_fit", "test_error"],
            fits.Select(f => (IReadOnlyList<double?>)[f.Corruption, f.Steps, f.TestError])
        );
        run.WriteArray("memorization_score", score, n);
        run.WriteArray("reservoir_share", reservoirShare, n);
        run.WriteArray("self_influence", selfInfluence, n);
        run.WriteArray("flipped", flipped.Select(b => b ? 1.0 : 0.0).ToArray(), n);

        var plot = Figure.NewPlot(
            "Random labels: steps to fit and held-out error",
            "share of corrupted labels",
            "value"
        );
        var s1 = plot.Add.Scatter(
            fits.Select(f => f.Corruption).ToArray(),
            fits.Select(f => (double)(f.Steps ?? c.MaxSteps) / c.MaxSteps).ToArray()
        );
        s1.Color = Colors.Navy;
        s1.LineWidth = 2.5f;
        s1.LegendText = $"steps to 100 % train accuracy / {c.MaxSteps}";
        var s2 = plot.Add.Scatter(fits.Select(f => f.Corruption).ToArray(), fits.Select(f => f.TestError).ToArray());
        s2.Color = Colors.Crimson;
        s2.LineWidth = 2.5f;
        s2.LegendText = "held-out error";
        plot.Axes.SetLimitsY(0, 1.05);
        plot.ShowLegend(Alignment.UpperLeft);
        var fig1 = Figure.Render(
            plot,
            "random_labels",
            "Steps to fit the training set (as a share of the budget) and held-out error against the share of "
                + "random labels."
        );
        var plot2 = Figure.NewPlot(
            "Memorization scores against reservoir share",
            "reservoir share ‖Π_res e_i‖²",
            "Feldman–Zhang memorization score"
        );
        var cleanIdx = valid.Where(i => !flipped[i]).ToList();
        var flipIdx = valid.Where(i => flipped[i]).ToList();
        var p1 = plot2.Add.ScatterPoints(
            cleanIdx.Select(i => reservoirShare[i]).ToArray(),
            cleanIdx.Select(i => score[i]).ToArray()
        );
        p1.Color = Colors.Gray;
        p1.MarkerSize = 4;
        p1.LegendText = "clean label";
        var p2 = plot2.Add.ScatterPoints(
            flipIdx.Select(i => reservoirShare[i]).ToArray(),
            flipIdx.Select(i => score[i]).ToArray()
        );
        p2.Color = Colors.Crimson;
        p2.MarkerSize = 7;
        p2.LegendText = "flipped label";
        plot2.ShowLegend(Alignment.LowerRight);
        var fig2 = Figure.Render(
            plot2,
            "memorization_scores",
            "Each training example: its memorization score (accuracy when in the training subset minus when out) "
                + "against its share in the reservoir of the trained kernel."
        );
        var plot3 = Figure.NewPlot(
            "Memorization scores against self-influence",
            "log10 self-influence Σ_t (η/n) g_iᵀ M_t g_i",
            "Feldman–Zhang memorization score"
        );
        var q1 = plot3.Add.ScatterPoints(
            cleanIdx.Select(i => Math.Log10(Math.Max(1e-300, selfInfluence[i]))).ToArray(),
            cleanIdx.Select(i => score[i]).ToArray()
        );
        q1.Color = Colors.Gray;
        q1.MarkerSize = 4;
        q1.LegendText = "clean label";
        var q2 = plot3.Add.ScatterPoints(
            flipIdx.Select(i => Math.Log10(Math.Max(1e-300, selfInfluence[i]))).ToArray(),
            flipIdx.Select(i => score[i]).ToArray()
        );
        q2.Color = Colors.Crimson;
        q2.MarkerSize = 7;
        q2.LegendText = "flipped label";
        plot3.ShowLegend(Alignment.UpperLeft);
        var fig3 = Figure.Render(
            plot3,
            "self_influence",
            "Each training example: its memorization score against its self-influence in the full model's run — the "
                + "per-example term THEORY §5 subtracts (first-order loss decrease from its own gradient, AdamW "
                + "metric)."
        );
        run.WriteFigure(fig1.Name, fig1.Svg, fig1.Png);
        run.WriteFigure(fig2.Name, fig2.Svg, fig2.Png);
        run.WriteFigure(fig3.Name, fig3.Svg, fig3.Png);
        report
            .Heading("(a) Random labels")
            .Figure(fig1)
            .Table(
                ["corrupted", "steps to fit", "held-out error"],
                fits.Select(f =>
                    (IReadOnlyList<string>)
                        [$"{f.Corruption:P0}", f.Steps?.ToString() ?? $"> {c.MaxSteps}", HtmlReport.Number(f.TestError)]
                )
            )
            .Heading("(b) Memorization scores")
            .Figure(fig2)
            .Figure(fig3);
        var results = new List<KeyValuePair<string, object?>>
        {
            new("memorization_flipped_mean", flippedMean),
            new("memorization_clean_mean", cleanMean),
            new("memorization_reservoir_corr", corr),
            new("memorization_reservoir_spearman", resRank),
            new("memorization_self_influence_spearman", siRank),
            new("self_influence_flipped_mean", siFlipped),
            new("self_influence_clean_mean", siClean),
        };
        if (c.BatchSizes.Count > 0)
            DriftDiffusion(c, run, report, verdicts, results, progress, cancel);
        return new StudyOutcome(verdicts, results);
    }

    /// <summary>
    /// (c) THEORY §4: SGD's accumulated update splits into drift Σ η∇L_S (independent of b, ∝ ηT) and diffusion
    /// Σ η(ĝ − ∇L_S), a sum of T zero-mean fluctuations of variance ∝ (1/b)(n − b)/(n − 1) for batches
    /// drawn without replacement, so ‖diffusion‖ ∝ η √T √((n − b)/(b(n − 1))).
    /// </summary>
    private static void DriftDiffusion(
        MemorizationConfig c,
        RunDirectory run,
        HtmlReport report,
        List<Verdict> verdicts,
        List<KeyValuePair<string, object?>> results,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        int n = c.TrainSamples;
        ConfigException.Require(
            c.BatchSizes.Count >= 2 && c.BatchSizes.All(b => b >= 2 && b < n),
            "batch_sizes",
            $"need two or more sizes in [2, {n})",
            "use e.g. [8, 32, 128]"
        );
        var rows =
            new List<(
                int B,
                double Drift,
                double Diffusion,
                double DriftExponent,
                double DiffusionExponent,
                double Predicted
            )>();
        foreach (int b in c.BatchSizes)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(
                new ProgressReport("drift/diffusion", rows.Count / (double)c.BatchSizes.Count, $"b = {b}")
            );
            var train = new TrainConfig
            {
                Task = new TaskConfig
                {
                    Kind = "fashion-mnist",
                    Data = c.Data,
                    TrainSamples = n,
                    TestSamples = Math.Min(c.TestSamples, 200),
                },
                Model = new MlpConfig
                {
                    Widths = [FashionMnist.Pixels, c.Width, 10],
                    WeightStd = Math.Sqrt(2),
                    BiasStd = 0.1,
                },
                Optimizer = new OptimizerConfig { Kind = OptimizerKind.Sgd, Lr = c.DriftLr },
                Loss = LossKind.CrossEntropy,
                Steps = c.DriftSteps,
                BatchSize = b,
                LogEvery = Math.Max(1, c.DriftSteps / 40),
                Seed = c.Seed,
                RiskEstimate = false,
                DriftDiffusion = true,
            }.Validate();
            var sub = RunDirectory.Create(
                Path.Combine(run.Path, "batches", $"b{b}"),
                "train",
                train,
                c.Seed,
                overwrite: true
            );
            var summary = TrainRun
                .Run(train, sub, cancel: cancel)
                .ToDictionary(
                    kv => kv.Key,
                    kv => Convert.ToDouble(kv.Value, System.Globalization.CultureInfo.InvariantCulture)
                );
            sub.Complete();
            rows.Add(
                (
                    b,
                    summary["drift_norm_final"],
                    summary["diffusion_norm_final"],
                    summary["drift_exponent"],
                    summary["diffusion_exponent"],
                    Math.Sqrt((n - b) / (b * (n - 1.0)))
                )
            );
        }
        double Spread(IEnumerable<double> v)
        {
            var a = v.ToArray();
            return a.Max() / a.Min() - 1;
        }
        double driftSpread = Spread(rows.Select(r => r.Drift));
        double diffusionSpread = Spread(rows.Select(r => r.Diffusion / r.Predicted));
        var smallest = rows.MinBy(r => r.B);
        verdicts.Add(
            new Verdict(
                "drift_independent_of_batch",
                "The drift Σ η∇L_S does not depend on the batch size (THEORY §4)",
                $"‖drift‖ {string.Join(", ", rows.Select(r => $"{r.Drift:G3} at b = {r.B}"))}: spread "
                    + $"{driftSpread:P1}",
                $"max/min − 1 ≤ {c.DriftTolerance:P0}",
                driftSpread <= c.DriftTolerance
            )
        );
        verdicts.Add(
            new Verdict(
                "diffusion_scales_as_inverse_root_batch",
                "The diffusion scales as √((n − b)/(b(n − 1))) — 1/√b corrected for sampling without "
                    + "replacement "
                    + "(THEORY §4)",
                "‖diffusion‖ / √((n − b)/(b(n − 1))): "
                    + $"{string.Join(", ", rows.Select(r => $"{r.Diffusion / r.Predicted:G3} at b = {r.B}"))}: spread "
                    + $"{diffusionSpread:P1}",
                $"max/min − 1 ≤ {c.DriftTolerance:P0}",
                diffusionSpread <= c.DriftTolerance
            )
        );
        verdicts.Add(
            new Verdict(
                "drift_linear_diffusion_root_in_time",
                "Drift grows ∝ T and diffusion ∝ √T (a drift plus a random walk, THEORY §4)",
                $"fitted exponents at b = {smallest.B}: drift {smallest.DriftExponent:F2}, diffusion "
                    + $"{smallest.DiffusionExponent:F2}",
                "within 0.15 of 1 and 0.5",
                Math.Abs(smallest.DriftExponent - 1) <= 0.15 && Math.Abs(smallest.DiffusionExponent - 0.5) <= 0.15
            )
        );
        run.WriteTable(
            "drift_diffusion.csv",
            [
                "batch_size",
                "drift_norm",
                "diffusion_norm",
                "drift_exponent",
                "diffusion_exponent",
                "predicted_relative_diffusion",
            ],
            rows.Select(r =>
                (IReadOnlyList<double?>)[r.B, r.Drift, r.Diffusion, r.DriftExponent, r.DiffusionExponent, r.Predicted]
            )
        );
        var plot = Figure.NewPlot(
            "Drift and diffusion against batch size",
            "batch size b",
            "accumulated norm after T steps"
        );
        var x = rows.Select(r => Math.Log10(r.B)).ToArray();
        var d = plot.Add.Scatter(x, rows.Select(r => Math.Log10(r.Drift)).ToArray());
        d.Color = Colors.Navy;
        d.LineWidth = 2.5f;
        d.LegendText = "drift (measured)";
        var f = plot.Add.Scatter(x, rows.Select(r => Math.Log10(r.Diffusion)).ToArray());
        f.Color = Colors.Crimson;
        f.LineWidth = 2.5f;
        f.LegendText = "diffusion (measured)";
        double anchor = rows[0].Diffusion / rows[0].Predicted;
        var dense = Enumerable
            .Range(0, 60)
            .Select(i => c.BatchSizes.Min() * Math.Pow((double)c.BatchSizes.Max() / c.BatchSizes.Min(), i / 59.0))
            .ToArray();
        var t = plot.Add.ScatterLine(
            dense.Select(Math.Log10).ToArray(),
            dense.Select(b => Math.Log10(anchor * Math.Sqrt((n - b) / (b * (n - 1.0))))).ToArray()
        );
        t.Color = Colors.Crimson;
        t.LinePattern = LinePattern.Dashed;
        t.LineWidth = 1.5f;
        t.LegendText = "∝ √((n − b)/(b(n − 1))), through the first point";
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.LowerLeft);
        var fig = Figure.Render(
            plot,
            "drift_diffusion_batch",
            $"Accumulated drift and diffusion of SGD (η = {c.DriftLr}, T = {c.DriftSteps}, cross-entropy, n = {n}) "
                + "against the batch size, with the theory's scaling of the diffusion."
        );
        run.WriteFigure(fig.Name, fig.Svg, fig.Png);
        report
            .Heading("(c) Drift and diffusion against batch size")
            .Figure(fig)
            .Table(
                [
                    "b",
                    "‖drift‖",
                    "‖diffusion‖",
                    "drift exponent in T",
                    "diffusion exponent in T",
                    "√((n − b)/(b(n − 1)))",
                ],
                rows.Select(r =>
                    (IReadOnlyList<string>)
                        [
                            $"{r.B}",
                            HtmlReport.Number(r.Drift),
                            HtmlReport.Number(r.Diffusion),
                            HtmlReport.Number(r.DriftExponent),
                            HtmlReport.Number(r.DiffusionExponent),
                            HtmlReport.Number(r.Predicted),
                        ]
                )
            )
            .Paragraph(
                "Each batch size's run (metrics with the drift and diffusion norms at every logged step) is in "
                    + "batches/b<b>/."
            );
        foreach (var r in rows)
        {
            results.Add(new($"drift_norm_b{r.B}", r.Drift));
            results.Add(new($"diffusion_norm_b{r.B}", r.Diffusion));
        }
    }

    private static LabelFitSettings FitSettings(MemorizationConfig c, bool selfInfluence = false) =>
        new()
        {
            Lr = c.Lr,
            Steps = c.MaxSteps,
            SelfInfluence = selfInfluence,
        };
}
