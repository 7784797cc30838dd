using ScottPlot;
using Tangent.Data;
using Tangent.Memorization;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// Data pruning: keep a fraction of a Fashion-MNIST training set ranked by a per-example score — the Feldman–Zhang
/// memorization score, the theory's self-influence along a run (THEORY §5), EL2N and GraNd early in training (Paul et
/// al. 2021) — against random pruning; retrain on what is kept with a fixed step budget and measure test accuracy
/// and how well the long tail (the highest-memorization examples) is memorized. Beside them, on the same runs, the
/// theory's quantities: the tail's self-influence, the risk estimate R̂ against the test loss, and the channel
/// threshold λ⋆ = n/(ηT) of each kept set.
/// </summary>
public sealed class DataPruningStudy : IStudy
{
    /// <summary>The scores, in report order; random last.</summary>
    internal static readonly string[] ScoreNames = ["memorization", "self_influence", "el2n", "grand", "random"];

    /// <inheritdoc/>
    public string Name => "data-pruning";

    /// <inheritdoc/>
    public string Description =>
        "Data pruning on Fashion-MNIST: keep a fraction of the training set by Feldman–Zhang memorization, the "
        + "theory's self-influence, or EL2N/GraNd (Paul et al. 2021), against random pruning; test accuracy against "
        + "the fraction kept, and whether the long tail is memorized better as redundant examples are removed.";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new DataPruningConfig
            {
                TrainSamples = 300,
                TestSamples = 500,
                Width = 64,
                SubsetModels = 6,
                FitSteps = 1500,
                EarlySeeds = 2,
                EarlySteps = 30,
                KeepFractions = [0.5, 0.3],
                RetrainSteps = 300,
                RetrainBatch = 64,
                RetrainSeeds = 1,
            },
            "full" => new DataPruningConfig(),
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    /// <summary>One (score, fraction) retraining, averaged over its seeds.</summary>
    internal sealed record Pruned(
        string Score,
        double Fraction,
        int Kept,
        double TestAccuracy,
        double TestLoss,
        double Risk,
        int TailKept,
        double TailAccuracy,
        double TailProbability,
        double TailSelfInfluence,
        double LambdaStar,
        double[] TestCorrect,
        double[] TailProbabilities
    );

    private static readonly ResultTable<Pruned> Table = new(
        [
            new("fraction", p => p.Fraction, "fraction kept", null, ResultColumn<Pruned>.Plain),
            new("kept", p => p.Kept, "n kept", null, ResultColumn<Pruned>.Plain),
            new("test_accuracy", p => p.TestAccuracy, "test accuracy", "test_accuracy"),
            new("test_loss", p => p.TestLoss, "test loss", "test_loss"),
            new("risk_estimate", p => p.Risk, "R̂ (final)", "risk_estimate"),
            new("tail_kept", p => p.TailKept, "tail kept", null, ResultColumn<Pruned>.Plain),
            new("tail_accuracy", p => p.TailAccuracy, "tail train accuracy", "tail_accuracy"),
            new("tail_probability", p => p.TailProbability, "tail p(y|x)", "tail_probability"),
            new("tail_self_influence", p => p.TailSelfInfluence, "tail SI", "tail_self_influence"),
            new("lambda_star", p => p.LambdaStar, "λ⋆ = n/(ηT)"),
        ],
        p => $"{p.Score}_{p.Fraction.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
    );

    /// <inheritdoc/>
    public StudyOutcome Run(
        object configObject,
        RunDirectory run,
        HtmlReport report,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        var c = ((DataPruningConfig)configObject).Validate();
        var (x, labels) = FashionMnist.Load(c.Data, "train", c.TrainSamples, "data");
        var (xq, labelsQ) = FashionMnist.Load(c.Data, "t10k", c.TestSamples, "data");
        int n = (int)x.shape[0];
        var model = c.Network();
        int retrains = 1 + (ScoreNames.Length * c.KeepFractions.Count);
        double total = c.SubsetModels + 1 + c.EarlySeeds + retrains * c.RetrainSeeds;
        int done = 0;
        void Step(string stage, string detail) => progress?.Report(new ProgressReport(stage, done++ / total, detail));

        // The scores.
        var g = Seeds.Generator(c.Seed);
        var estimator = FeldmanZhangEstimator.Estimate(
            c.Interpolation(),
            model,
            x,
            labels,
            c.SubsetModels,
            c.SubsetShare,
            g,
            c.Seed + 100,
            m => Step("scores", $"Feldman–Zhang model {m + 1}/{c.SubsetModels}"),
            cancel
        );
        var scores = new Dictionary<string, double[]> { ["memorization"] = estimator.Scores() };
        Step("scores", "self-influence run");
        using (NewDisposeScope())
            scores["self_influence"] = LabelFit
                .Run(c.Interpolation(true), model, x, labels, c.Seed + 1, cancel)
                .SelfInfluence!;
        var el2n = new double[n];
        var grand = new double[n];
        for (int e = 0; e < c.EarlySeeds; e++)
        {
            cancel.ThrowIfCancellationRequested();
            Step("scores", $"EL2N/GraNd seed {e + 1}/{c.EarlySeeds}");
            using var scope = NewDisposeScope();
            long seed = c.Seed + 300 + e;
            Accumulate(grand, PruningScores.GraNd(new Mlp(model, Seeds.Generator(seed)), x, labels), c.EarlySeeds);
            var early = LabelFit.Run(c.Retrain(c.EarlySteps), model, x, labels, seed, cancel);
            using (no_grad())
                Accumulate(el2n, PruningScores.El2n(early.Net.call(x), labels), c.EarlySeeds);
        }
        scores["el2n"] = el2n;
        scores["grand"] = grand;
        int[] tail = PruningScores.Keep(scores["memorization"], c.TailShare, hardest: true);

        // Retraining on the kept sets.
        int[] RandomKeep(double fraction, int r)
        {
            using var scope = NewDisposeScope();
            var u = rand(new long[] { n }, dtype: ScalarType.Float64, generator: Seeds.Generator(c.Seed + 2000 + r));
            return PruningScores.Keep(u.data<double>().ToArray(), fraction, hardest: true);
        }
        Pruned Retrain(string score, double fraction, Func<int, int[]> keep)
        {
            var testCorrect = new double[xq.shape[0]];
            var tailP = new double[tail.Length];
            var tailHits = new double[tail.Length];
            var tailSi = new double[tail.Length];
            var tailSeen = new double[tail.Length];
            double acc = 0,
                loss = 0,
                risk = 0;
            int kept = 0;
            for (int r = 0; r < c.RetrainSeeds; r++)
            {
                cancel.ThrowIfCancellationRequested();
                Step("retraining", $"{score}, {fraction:P0} kept, seed {r + 1}/{c.RetrainSeeds}");
                using var scope = NewDisposeScope();
                int[] k = keep(r);
                kept = k.Length;
                var idx = tensor(k.Select(i => (long)i).ToArray());
                var fit = LabelFit.Run(
                    c.Retrain(),
                    model,
                    x.index_select(0, idx),
                    labels.index_select(0, idx),
                    c.Seed + 1000 + r,
                    cancel,
                    xq,
                    labelsQ
                );
                var last = fit.Metrics[^1];
                (acc, loss, risk) = (
                    acc + last.TestMetric,
                    loss + last.TestLoss,
                    risk + (last.RiskEstimate ?? double.NaN)
                );
                var position = Enumerable.Repeat(-1, n).ToArray();
                for (int j = 0; j < k.Length; j++)
                    position[k[j]] = j;
                using (no_grad())
                {
                    Accumulate(
                        testCorrect,
                        fit.Net.call(xq).argmax(1).eq(labelsQ).to_type(ScalarType.Float64).data<double>().ToArray(),
                        c.RetrainSeeds
                    );
                    var t = tensor(tail.Select(i => (long)i).ToArray());
                    var logits = fit.Net.call(x.index_select(0, t)).to_type(ScalarType.Float64);
                    var yt = labels.index_select(0, t);
                    double[] p = nn
                        .functional.softmax(logits, 1)
                        .gather(1, yt.unsqueeze(1))
                        .reshape(-1)
                        .data<double>()
                        .ToArray();
                    bool[] hit = logits.argmax(1).eq(yt).data<bool>().ToArray();
                    for (int j = 0; j < tail.Length; j++)
                    {
                        int at = position[tail[j]];
                        if (at < 0)
                            continue;
                        tailSeen[j]++;
                        tailP[j] += p[j];
                        tailHits[j] += hit[j] ? 1 : 0;
                        tailSi[j] += fit.SelfInfluence![at];
                    }
                }
            }
            var seen = Enumerable.Range(0, tail.Length).Where(j => tailSeen[j] > 0).ToList();
            double Mean(double[] sums) => seen.Count == 0 ? double.NaN : seen.Average(j => sums[j] / tailSeen[j]);
            return new Pruned(
                score,
                fraction,
                kept,
                acc / c.RetrainSeeds,
                loss / c.RetrainSeeds,
                risk / c.RetrainSeeds,
                seen.Count,
                Mean(tailHits),
                Mean(tailP),
                Mean(tailSi),
                kept / (c.Lr * c.RetrainSteps),
                testCorrect,
                tailP.Select((s, j) => tailSeen[j] > 0 ? s / tailSeen[j] : double.NaN).ToArray()
            );
        }
        var all = Retrain("all", 1, _ => Enumerable.Range(0, n).ToArray());
        var rows = new List<Pruned>();
        foreach (string s in ScoreNames)
        foreach (double f in c.KeepFractions.OrderDescending())
            rows.Add(
                Retrain(s, f, r => s == "random" ? RandomKeep(f, r) : PruningScores.Keep(scores[s], f, c.KeepHardest))
            );
        progress?.Report(new ProgressReport("retraining", 1, $"{retrains * c.RetrainSeeds} runs"));

        // Outputs.
        foreach (var (name, values) in scores)
            run.WriteArray($"score_{name}", values, n);
        run.WriteArray("tail", tail.Select(i => (double)i).ToArray(), tail.Length);
        foreach (string s in ScoreNames)
            Table.WriteCsv(run, $"pruning_{s}.csv", [all with { Score = s }, .. rows.Where(p => p.Score == s)]);
        var verdicts = Verdicts(c, all, rows).ToList();
        var summary = new List<KeyValuePair<string, object?>>(Table.Summary([all, .. rows]));
        foreach (var (a, b) in ScorePairs())
            summary.Add(new($"score_spearman_{a}_{b}", RankCorrelation(scores[a], scores[b])));
        Report(c, report, run, scores, all, rows, tail.Length);
        return new StudyOutcome(verdicts, summary);
    }

    /// <summary>The verdicts from the baseline (everything kept) and the pruned runs.</summary>
    internal static IEnumerable<Verdict> Verdicts(DataPruningConfig c, Pruned all, IReadOnlyList<Pruned> rows)
    {
        var random = rows.Single(p => p.Score == "random" && p.Fraction == c.CompareFraction);
        var compared = rows.Where(p => p.Score != "random" && p.Fraction == c.CompareFraction)
            .Select(p => (p.Score, p.TestAccuracy, Z: PairedZ(p.TestCorrect, random.TestCorrect)))
            .ToList();
        var best = compared.MaxBy(s => s.Z);
        yield return c.BeatsRandom()
            .Verdict(
                "a_score_beats_random_pruning",
                $"Keeping {c.CompareFraction:P0} of the data by a score beats keeping a random {c.CompareFraction:P0} "
                    + "(Paul et al. 2021)",
                $"test accuracy at {c.CompareFraction:P0} kept: random {random.TestAccuracy:F3}; "
                    + string.Join(", ", compared.Select(s => $"{s.Score} {s.TestAccuracy:F3} (z {s.Z:F1})"))
                    + $"; all data {all.TestAccuracy:F3}",
                best.Z
            );
        var fz = rows.Where(p => p.Score == "memorization").OrderByDescending(p => p.Fraction).ToList();
        var smallest = fz[^1];
        yield return c.TailRises()
            .Verdict(
                "tail_memorization_rises_with_pruning",
                "The long tail is memorized better as redundant (low-memorization) examples are removed (the April "
                    + "2026 claim, in its image-classification form)",
                "tail p(y|x), the top "
                    + $"{c.TailShare:P0} by memorization score, on the memorization-pruned sets: all "
                    + $"{all.TailProbability:F3}, "
                    + string.Join(", ", fz.Select(p => $"{p.Fraction:P0} kept {p.TailProbability:F3}"))
                    + $" (tail train accuracy {all.TailAccuracy:F3} → {smallest.TailAccuracy:F3})",
                PairedZ(smallest.TailProbabilities, all.TailProbabilities)
            );
        var withTail = rows.Append(all).Where(p => p.TailKept > 0).ToList();
        yield return c.Tracks("the tail's self-influence against its p(y|x) across runs")
            .Verdict(
                "self_influence_tracks_tail_memorization",
                "The theory's self-influence of the tail (Σ_t (η/n) g_iᵀ M g_i, THEORY §5) rises and falls with the "
                    + "tail's memorization across the pruned runs",
                $"{withTail.Count} runs: tail SI {all.TailSelfInfluence:G3} with all data, "
                    + $"{smallest.TailSelfInfluence:G3} at {smallest.Fraction:P0} kept by memorization",
                withTail.Count < 3
                    ? double.NaN
                    : RankCorrelation(
                        withTail.Select(p => p.TailSelfInfluence).ToArray(),
                        withTail.Select(p => p.TailProbability).ToArray()
                    )
            );
        var every = rows.Append(all).ToList();
        double gap = every.Average(p => Math.Abs(p.Risk - p.TestLoss) / p.TestLoss);
        yield return c.Tracks("R̂ against the test loss across runs")
            .Verdict(
                "risk_estimate_tracks_test_loss",
                "The validation-free risk estimate R̂ (THEORY §5) orders the pruned runs as their test losses do",
                $"{every.Count} runs; mean |R̂ − L_test|/L_test {gap:F2}",
                RankCorrelation(every.Select(p => p.Risk).ToArray(), every.Select(p => p.TestLoss).ToArray())
            );
        // Across all runs both verdicts above can hold through the trend in n alone; within one fraction the arms
        // have the same n, so only the choice of examples can order them.
        double siWithin = WithinFraction(rows, p => p.TailSelfInfluence, p => p.TailProbability);
        double riskWithin = WithinFraction(rows, p => p.Risk, p => p.TestLoss);
        yield return c.Tracks("mean over fractions of ρ among the arms, tail SI against tail p(y|x)")
            .Verdict(
                "self_influence_orders_arms_within_a_fraction",
                "… and orders the arms of one kept fraction (same n) as their tails' memorization",
                $"mean ρ over {c.KeepFractions.Count} fractions: {siWithin:F2}",
                siWithin
            );
        yield return c.Tracks("mean over fractions of ρ among the arms, R̂ against the test loss")
            .Verdict(
                "risk_estimate_orders_arms_within_a_fraction",
                "… and R̂ orders the arms of one kept fraction (same n) as their test losses",
                $"mean ρ over {c.KeepFractions.Count} fractions: {riskWithin:F2}",
                riskWithin
            );
    }

    /// <summary>The mean over kept fractions of the Spearman ρ between two quantities across that fraction's
    /// arms (NaN when no fraction has three arms with both defined).</summary>
    private static double WithinFraction(IReadOnlyList<Pruned> rows, Func<Pruned, double> a, Func<Pruned, double> b)
    {
        var rhos = rows.GroupBy(p => p.Fraction)
            .Select(g => RankCorrelation(g.Select(a).ToArray(), g.Select(b).ToArray()))
            .Where(double.IsFinite)
            .ToList();
        return rhos.Count == 0 ? double.NaN : rhos.Average();
    }

    /// <summary>
    /// z = d̄ / (s_d/√k) over the k entries where both are defined, d = a − b (paired: the same test images, or the
    /// same tail examples); 0 when every difference is 0; NaN with fewer than 2 pairs.
    /// </summary>
    internal static double PairedZ(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var d = a.Zip(b, (u, v) => u - v).Where(v => !double.IsNaN(v)).ToArray();
        if (d.Length < 2)
            return double.NaN;
        double mean = d.Average();
        double sd = Math.Sqrt(d.Sum(v => (v - mean) * (v - mean)) / (d.Length - 1));
        return mean == 0 ? 0 : mean / (sd / Math.Sqrt(d.Length));
    }

    private static double RankCorrelation(double[] a, double[] b)
    {
        var ok = Enumerable.Range(0, a.Length).Where(i => double.IsFinite(a[i]) && double.IsFinite(b[i])).ToList();
        return ok.Count < 3
            ? double.NaN
            : Statistics.Spearman(ok.Select(i => a[i]).ToArray(), ok.Select(i => b[i]).ToArray());
    }

    private static IEnumerable<(string, string)> ScorePairs() =>
        from i in Enumerable.Range(0, ScoreNames.Length - 1)
        from j in Enumerable.Range(i + 1, ScoreNames.Length - 2 - i)
        select (ScoreNames[i], ScoreNames[j]);

    private static void Accumulate(double[] sum, double[] values, int count)
    {
        for (int i = 0; i < sum.Length; i++)
            sum[i] += values[i] / count;
    }

    private static readonly Dictionary<string, Color> Palette = new()
    {
        ["memorization"] = Colors.Crimson,
        ["self_influence"] = Colors.Navy,
        ["el2n"] = Colors.DarkOrange,
        ["grand"] = Colors.SeaGreen,
        ["random"] = Colors.Gray,
    };

    private static void Report(
        DataPruningConfig c,
        HtmlReport report,
        RunDirectory run,
        Dictionary<string, double[]> scores,
        Pruned all,
        List<Pruned> rows,
        int tailCount
    )
    {
        var fractions = c.KeepFractions.Order().Append(1.0).ToList();
        List<double> Curve(string s, Func<Pruned, double> value) =>
            fractions
                .Select(f => f == 1 ? value(all) : value(rows.Single(p => p.Score == s && p.Fraction == f)))
                .ToList();
        CurveFigure Per(string name, string title, string y, string caption, Func<Pruned, double> value, bool logY) =>
            new()
            {
                Name = name,
                Title = title,
                XLabel = "fraction of the training set kept",
                YLabel = y,
                Caption = caption,
                X = fractions,
                LogY = logY,
                Floor = 1e-12,
                Legend = Alignment.LowerRight,
                Curves = ScoreNames
                    .Select(s => new CurveFigure.Curve(s, Palette[s], Curve(s, value), s == "random"))
                    .ToList(),
            };
        var figures = new[]
        {
            Per(
                "test_accuracy",
                "Test accuracy against the fraction kept",
                "test accuracy",
                $"Each score keeps the {(c.KeepHardest ? "highest" : "lowest")}-scoring examples; random (dashed) is "
                    + "the baseline the competing accounts must beat; self_influence is the theory's score. Retrained "
                    + $"with {c.RetrainSteps} minibatch AdamW steps, mean of {c.RetrainSeeds} seed(s).",
                p => p.TestAccuracy,
                false
            ),
            Per(
                "tail_memorization",
                "The long tail's memorization against the fraction kept",
                "mean p(y|x) of the kept tail examples",
                $"The tail is the top {c.TailShare:P0} of the training set by Feldman–Zhang score ({tailCount} "
                    + "examples); each point averages its members that were kept.",
                p => p.TailProbability,
                false
            ),
            Per(
                "tail_self_influence",
                "The theory's self-influence of the tail against the fraction kept",
                "mean self-influence of the kept tail examples",
                "SI_i = Σ_t (η/n)·g_iᵀ M_t g_i along each retraining run (THEORY §5): the theory's measure of how "
                    + "much an example is fitted by its own gradient. Log scale.",
                p => p.TailSelfInfluence,
                true
            ),
            new CurveFigure
            {
                Name = "risk_estimate",
                Title = "Risk estimate R̂ and test loss against the fraction kept",
                XLabel = "fraction of the training set kept",
                YLabel = "loss",
                Caption =
                    "Test loss (solid) and the theory's validation-free estimate R̂ (dashed) of each pruned run, same "
                    + "colours as above. Log scale; values at or below the floor are drawn at it.",
                X = fractions,
                LogY = true,
                Floor = 1e-3,
                Legend = Alignment.UpperRight,
                Curves = ScoreNames
                    .SelectMany(s =>
                        new[]
                        {
                            new CurveFigure.Curve($"{s} test", Palette[s], Curve(s, p => p.TestLoss)),
                            new CurveFigure.Curve($"{s} R̂", Palette[s], Curve(s, p => p.Risk), true),
                        }
                    )
                    .ToList(),
            },
        }.Select(f => f.Render()).ToList();
        report.Paragraph(
            $"n = {c.TrainSamples} Fashion-MNIST training images, m = {c.TestSamples} test images, a 784 → "
                + $"{c.Width} → 10 ReLU MLP. Scores over the whole training set: Feldman–Zhang memorization from "
                + $"{c.SubsetModels} models trained to interpolation on random {c.SubsetShare:P0} subsets; the "
                + "self-influence of one run to interpolation on all n; EL2N after "
                + $"{c.EarlySteps} minibatch steps and GraNd at initialization, each averaged over {c.EarlySeeds} "
                + $"seeds; random. Each kept set is retrained with {c.RetrainSteps} AdamW steps of batch "
                + $"{c.RetrainBatch} (lr {c.Lr}), the same budget at every fraction, {c.RetrainSeeds} seed(s)."
        );
        foreach (var f in figures)
        {
            run.WriteFigure(f.Name, f.Svg, f.Png);
            report.Figure(f);
        }
        foreach (string s in ScoreNames)
            Table.Html(report.Heading($"Kept by {s}"), [all with { Score = s }, .. rows.Where(p => p.Score == s)]);
        report
            .Heading("How the scores agree")
            .Table(
                ["scores", "Spearman ρ over the training set"],
                ScorePairs()
                    .Select(p =>
                        (IReadOnlyList<string>)
                            [
                                $"{p.Item1} · {p.Item2}",
                                HtmlReport.Number(RankCorrelation(scores[p.Item1], scores[p.Item2])),
                            ]
                    )
                    .ToList()
            )
            .Paragraph("Per-example scores are in arrays/score_*.npy, the tail's indices in arrays/tail.npy.");
    }
}
