using ScottPlot;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>Settings of the memorization study; every number with its source.</summary>
public sealed record MemorizationConfig
{
    /// <summary>Fashion-MNIST directory (Debian's dataset-fashion-mnist by default).</summary>
    public string Data { get; init; } = FashionMnist.DefaultDirectory;
    /// <summary>Training images (issue 8: 1,000).</summary>
    public int TrainSamples { get; init; } = 1000;
    /// <summary>Held-out images.</summary>
    public int TestSamples { get; init; } = 1000;
    /// <summary>Hidden width of the MLP (784 → width → 10, ReLU, NTK parameterization).</summary>
    public int Width { get; init; } = 256;
    /// <summary>AdamW learning rate, full batch, cross-entropy.</summary>
    public double Lr { get; init; } = 1e-3;
    /// <summary>Step budget to reach 100 % training accuracy.</summary>
    public int MaxSteps { get; init; } = 3000;
    /// <summary>(a) Shares of corrupted (uniformly random) labels (Zhang et al. 2017: 0 to 1).</summary>
    public IReadOnlyList<double> Corruptions { get; init; } = [0, 0.25, 0.5, 0.75, 1.0];
    /// <summary>(b) Share of labels flipped for the memorization scores (issue 8: 5 %).</summary>
    public double FlipShare { get; init; } = 0.05;
    /// <summary>(b) Models trained on random subsets for the Feldman–Zhang estimate.</summary>
    public int SubsetModels { get; init; } = 30;
    /// <summary>(b) Subset share (issue 8: 70 %).</summary>
    public double SubsetShare { get; init; } = 0.7;
    /// <summary>(b) Reservoir of the final kernel: eigenvalues below this share of λ_max.</summary>
    public double ReservoirThreshold { get; init; } = 0.01;
    /// <summary>Seed.</summary>
    public long Seed { get; init; }
}

/// <summary>
/// Memorization (issue 8, study 3): (a) random labels — steps to fit the training set and held-out error against the share of
/// corrupted labels (Zhang et al. 2017); (b) Feldman–Zhang memorization scores from models trained on random subsets, with 5 % of
/// the labels flipped (flipped examples should score near 1, typical ones near 0), set against each example's share in the
/// reservoir of the full model's final kernel.
/// </summary>
public sealed class MemorizationStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "memorization";

    /// <inheritdoc/>
    public string Description =>
        "Memorization: (a) how long a network takes to fit Fashion-MNIST as more labels are randomized, and what that does to held-out error; (b) Feldman–Zhang " +
        "memorization scores with 5 % flipped labels, against how much of each example lies in the reservoir of the trained kernel — are memorized examples the reservoir's?";

    /// <inheritdoc/>
    public object Preset(string preset) => preset switch
    {
        "quick" => new MemorizationConfig { TrainSamples = 200, TestSamples = 500, Width = 64, Corruptions = [0, 0.5, 1.0], SubsetModels = 8, MaxSteps = 1500 },
        "full" => new MemorizationConfig(),
        _ => throw Studies.UnknownPreset(preset),
    };

    /// <inheritdoc/>
    public StudyOutcome Run(object configObject, RunDirectory run, HtmlReport report, IProgress<ProgressReport>? progress, CancellationToken cancel)
    {
        var c = (MemorizationConfig)configObject;
        ConfigException.Require(c.SubsetModels >= 4, "subset_models", $"need at least 4, got {c.SubsetModels}", "use e.g. 30");
        var (x, labels) = FashionMnist.Load(c.Data, "train", c.TrainSamples);
        var (xq, labelsQ) = FashionMnist.Load(c.Data, "t10k", c.TestSamples);
        int n = (int)x.shape[0];
        var g = new Generator((ulong)c.Seed);
        var model = new MlpConfig { Widths = [784, c.Width, 10], WeightStd = Math.Sqrt(2), BiasStd = 0.1 };

        // (a) Random labels.
        var fits = new List<(double Corruption, int? Steps, double TestError)>();
        foreach (double r in c.Corruptions)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(new ProgressReport("random labels", fits.Count / (double)(c.Corruptions.Count + c.SubsetModels + 1), $"corruption {r:P0}"));
            var corrupt = rand(new long[] { n }, dtype: ScalarType.Float64, generator: g).lt(r);
            var y = where(corrupt, randint(0, 10, new long[] { n }, generator: g), labels);
            var (steps, net) = Fit(c, model, x, y, c.Seed + 10 + fits.Count, cancel);
            double err;
            using (no_grad()) err = net.call(xq).argmax(1).ne(labelsQ).to_type(ScalarType.Float64).mean().item<double>();
            fits.Add((r, steps, err));
        }

        // (b) Feldman–Zhang scores with flipped labels.
        var flip = rand(new long[] { n }, dtype: ScalarType.Float64, generator: g).lt(c.FlipShare);
        var shift = randint(1, 10, new long[] { n }, generator: g);
        var noisy = where(flip, (labels + shift).remainder(10), labels);
        var inCorrect = new double[n]; var inCount = new double[n]; var outCorrect = new double[n]; var outCount = new double[n];
        for (int m = 0; m < c.SubsetModels; m++)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(new ProgressReport("memorization scores", (c.Corruptions.Count + m) / (double)(c.Corruptions.Count + c.SubsetModels + 1), $"model {m + 1}/{c.SubsetModels}"));
            using var scope = NewDisposeScope();
            var member = rand(new long[] { n }, dtype: ScalarType.Float64, generator: g).lt(c.SubsetShare);
            var idx = member.nonzero().reshape(-1);
            var (_, net) = Fit(c, model, x.index_select(0, idx), noisy.index_select(0, idx), c.Seed + 100 + m, cancel);
            bool[] inSet = member.data<bool>().ToArray();
            bool[] correct;
            using (no_grad()) correct = net.call(x).argmax(1).eq(noisy).data<bool>().ToArray();
            for (int i = 0; i < n; i++)
            {
                if (inSet[i]) { inCount[i]++; if (correct[i]) inCorrect[i]++; }
                else { outCount[i]++; if (correct[i]) outCorrect[i]++; }
            }
        }
        var score = Enumerable.Range(0, n).Select(i => inCount[i] > 0 && outCount[i] > 0 ? inCorrect[i] / inCount[i] - outCorrect[i] / outCount[i] : double.NaN).ToArray();
        bool[] flipped = flip.data<bool>().ToArray();
        var valid = Enumerable.Range(0, n).Where(i => !double.IsNaN(score[i])).ToList();
        double flippedMean = valid.Where(i => flipped[i]).Select(i => score[i]).DefaultIfEmpty(double.NaN).Average();
        double cleanMean = valid.Where(i => !flipped[i]).Select(i => score[i]).DefaultIfEmpty(double.NaN).Average();

        // Reservoir share of each example in the full model's final (output-traced) kernel: ‖Π_res e_i‖².
        progress?.Report(new ProgressReport("reservoir", (c.Corruptions.Count + c.SubsetModels) / (double)(c.Corruptions.Count + c.SubsetModels + 1), "full model"));
        var (_, full) = Fit(c, model, x, noisy, c.Seed + 1, cancel);
        double[] reservoirShare;
        using (var k = Ntk.Compute(full, x, null, new NtkOptions { Traced = true }))
        {
            var (lambda, vectors) = linalg.eigh(k.Kss);
            var res = vectors.index_select(1, lambda.lt(c.ReservoirThreshold * lambda.max().item<double>()).nonzero().reshape(-1));
            reservoirShare = res.square().sum(1).data<double>().ToArray();
        }
        double corr = Statistics.Pearson(valid.Select(i => score[i]).ToArray(), valid.Select(i => reservoirShare[i]).ToArray());
        double resFlipped = Enumerable.Range(0, n).Where(i => flipped[i]).Select(i => reservoirShare[i]).DefaultIfEmpty(double.NaN).Average();
        double resClean = Enumerable.Range(0, n).Where(i => !flipped[i]).Select(i => reservoirShare[i]).Average();

        var ordered = fits.Where(f => f.Steps is not null).ToList();
        var verdicts = new List<Verdict>
        {
            new("random_labels_are_fit", "A network fits even completely random labels (Zhang et al. 2017)",
                $"corruption 100 %: {(fits[^1].Steps is { } s ? $"100 % train accuracy at step {s}" : $"not fit in {c.MaxSteps} steps")}", "fit within the step budget", fits[^1].Steps is not null),
            new("fitting_slows_with_corruption", "Fitting takes longer the more labels are random", string.Join("; ", fits.Select(f => $"{f.Corruption:P0}: {f.Steps?.ToString() ?? "not fit"}")),
                "steps increase with corruption", fits.Zip(fits.Skip(1)).All(p => (p.Second.Steps ?? int.MaxValue) >= (p.First.Steps ?? int.MaxValue))),
            new("flipped_examples_are_memorized", "Flipped examples have Feldman–Zhang memorization scores near 1, typical ones near 0 (Feldman & Zhang 2020)",
                $"mean score: flipped {flippedMean:F2}, others {cleanMean:F2} ({c.SubsetModels} models on {c.SubsetShare:P0} subsets)", "flipped > 0.5 and others < 0.2", flippedMean > 0.5 && cleanMean < 0.2),
            new("memorized_examples_live_in_the_reservoir", "Memorized examples lie in the reservoir of the trained kernel (THEORY §3)",
                $"reservoir share of an example: flipped {resFlipped:F3}, others {resClean:F3}; correlation with the memorization score {corr:F2}",
                "flipped examples have a larger reservoir share and the correlation is positive", resFlipped > resClean && corr > 0),
        };
        run.WriteMetrics(["corruption", "steps_to_fit", "test_error"], fits.Select(f => (IReadOnlyList<double?>)[f.Corruption, f.Steps, f.TestError]));
        run.WriteArray("memorization_score", score, n);
        run.WriteArray("reservoir_share", reservoirShare, n);
        run.WriteArray("flipped", flipped.Select(b => b ? 1.0 : 0.0).ToArray(), n);

        var plot = Figure.NewPlot("Random labels: steps to fit and held-out error", "share of corrupted labels", "value");
        var s1 = plot.Add.Scatter(fits.Select(f => f.Corruption).ToArray(), fits.Select(f => (double)(f.Steps ?? c.MaxSteps) / c.MaxSteps).ToArray()); s1.Color = Colors.Navy; s1.LineWidth = 2.5f; s1.LegendText = $"steps to 100 % train accuracy / {c.MaxSteps}";
        var s2 = plot.Add.Scatter(fits.Select(f => f.Corruption).ToArray(), fits.Select(f => f.TestError).ToArray()); s2.Color = Colors.Crimson; s2.LineWidth = 2.5f; s2.LegendText = "held-out error";
        plot.Axes.SetLimitsY(0, 1.05); plot.ShowLegend(Alignment.UpperLeft);
        var fig1 = Figure.Render(plot, "random_labels", "Steps to fit the training set (as a share of the budget) and held-out error against the share of random labels.");
        var plot2 = Figure.NewPlot("Memorization scores against reservoir share", "reservoir share ‖Π_res e_i‖²", "Feldman–Zhang memorization score");
        var cleanIdx = valid.Where(i => !flipped[i]).ToList();
        var flipIdx = valid.Where(i => flipped[i]).ToList();
        var p1 = plot2.Add.ScatterPoints(cleanIdx.Select(i => reservoirShare[i]).ToArray(), cleanIdx.Select(i => score[i]).ToArray()); p1.Color = Colors.Gray; p1.MarkerSize = 4; p1.LegendText = "clean label";
        var p2 = plot2.Add.ScatterPoints(flipIdx.Select(i => reservoirShare[i]).ToArray(), flipIdx.Select(i => score[i]).ToArray()); p2.Color = Colors.Crimson; p2.MarkerSize = 7; p2.LegendText = "flipped label";
        plot2.ShowLegend(Alignment.LowerRight);
        var fig2 = Figure.Render(plot2, "memorization_scores", "Each training example: its memorization score (accuracy when in the training subset minus when out) against its share in the reservoir of the trained kernel.");
        run.WriteFigure(fig1.Name, fig1.Svg, fig1.Png);
        run.WriteFigure(fig2.Name, fig2.Svg, fig2.Png);
        report.Heading("(a) Random labels").Figure(fig1)
            .Table(["corrupted", "steps to fit", "held-out error"], fits.Select(f => (IReadOnlyList<string>)[$"{f.Corruption:P0}", f.Steps?.ToString() ?? $"> {c.MaxSteps}", HtmlReport.Number(f.TestError)]))
            .Heading("(b) Memorization scores").Figure(fig2)
            .Paragraph("Not in this study yet: the drift/diffusion growth with batch size (see docs/training.md for that measurement with tangent train).");
        return new StudyOutcome(verdicts, [new("memorization_flipped_mean", flippedMean), new("memorization_clean_mean", cleanMean), new("memorization_reservoir_corr", corr)]);
    }

    /// <summary>Full-batch AdamW on cross-entropy until 100 % training accuracy (checked every 25 steps) or the budget.</summary>
    private static (int? Steps, Mlp Net) Fit(MemorizationConfig c, MlpConfig model, Tensor x, Tensor labels, long seed, CancellationToken cancel)
    {
        var net = new Mlp(model, new Generator((ulong)seed));
        var opt = new Optimizer(net.parameters().ToList(), new OptimizerConfig { Kind = OptimizerKind.AdamW, Lr = c.Lr });
        for (int step = 0; step < c.MaxSteps; step++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            if (step % 25 == 0)
                using (no_grad())
                    if (net.call(x).argmax(1).eq(labels).all().item<bool>()) { opt.Dispose(); return (step, net); }
            net.zero_grad();
            nn.functional.cross_entropy(net.call(x), labels).backward();
            opt.Step(c.Lr);
        }
        opt.Dispose();
        return (null, net);
    }
}
