using ScottPlot;
using Tangent.Channel;
using Tangent.Data;
using Tangent.ForwardForward;
using Tangent.Kernels;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// Does the channel/reservoir account depend on backpropagation? Hinton's (2022) Forward-Forward algorithm (layer-local
/// goodness objectives, positive and negative data with the label written into the image) and backprop train the
/// same hidden layers on the same Fashion-MNIST subset, with and without flipped labels. Per learner: test accuracy,
/// the memorization of the flipped labels, the test cost of the noise, and, on the final network's eNTK (traced,
/// over the training set), the shares of the clean labels and of the label noise in the channel λ ≥ τ·λ_max.
/// </summary>
public sealed class ForwardForwardStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "forward-forward";

    /// <inheritdoc/>
    public string Description =>
        "Forward-Forward (Hinton 2022) against backprop on the same MLP and the same Fashion-MNIST subset with "
        + "flipped labels: test accuracy, memorization of the flipped labels, and the shares of the clean labels "
        + "and of the noise in the final network's eNTK channel. Does the theory's noise split depend on backprop?";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new ForwardForwardConfig
            {
                TrainSamples = 600,
                TestSamples = 500,
                Hidden = [128, 128],
                Steps = 400,
            },
            "full" => new ForwardForwardConfig(),
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    /// <summary>One learner's measurements.</summary>
    internal sealed record Learner(
        string Name,
        double CleanTestAccuracy,
        double NoisyTestAccuracy,
        double FlippedMemorized,
        double NoiseShare,
        double CleanShare,
        int ChannelSize
    )
    {
        public double Cost => CleanTestAccuracy - NoisyTestAccuracy;
    }

    private static readonly ResultTable<Learner> Table = new(
        [
            new("clean_test_accuracy", l => l.CleanTestAccuracy, "test accuracy, clean labels", "clean_test_accuracy"),
            new(
                "noisy_test_accuracy",
                l => l.NoisyTestAccuracy,
                "test accuracy, flipped labels",
                "noisy_test_accuracy"
            ),
            new("noise_test_cost", l => l.Cost, "test cost of the noise", "noise_test_cost"),
            new("flipped_memorized", l => l.FlippedMemorized, "flipped labels memorized", "flipped_memorized"),
            new("noise_channel_share", l => l.NoiseShare, "noise share in the channel", "noise_channel_share"),
            new("clean_channel_share", l => l.CleanShare, "clean-label share in the channel", "clean_channel_share"),
            new("channel_size", l => l.ChannelSize, "channel size", "channel_size", ResultColumn<Learner>.Plain),
        ],
        l => l.Name
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
        var c = ((ForwardForwardConfig)configObject).Validate();
        var learners = new List<Learner>();
        var curves = new List<(string Name, double[] Noise, double[] Clean)>();
        int done = 0;
        foreach (bool ff in new[] { true, false })
        {
            string name = ff ? "forward_forward" : "backprop";
            var accuracy = new Dictionary<bool, double>();
            Learner? measured = null;
            foreach (bool noisy in new[] { false, true })
            {
                progress?.Report(new ProgressReport("runs", done++ / 4.0, $"{name}, {(noisy ? "noisy" : "clean")}"));
                var arm = Arm(c, ff, noisy);
                var r = Runner.RunArm(run, arm, cancel);
                accuracy[noisy] = r.Final.TestMetric;
                if (noisy)
                {
                    var (learner, noise, clean) = Measure(c, name, r);
                    measured = learner;
                    curves.Add((name, noise, clean));
                }
            }
            learners.Add(measured! with { CleanTestAccuracy = accuracy[false], NoisyTestAccuracy = accuracy[true] });
        }
        progress?.Report(new ProgressReport("runs", 1, "4 runs"));
        Table.WriteCsv(run, RunDirectory.MetricsFile, learners);
        report.Paragraph(
            $"n = {c.TrainSamples} Fashion-MNIST images (all ten classes, pooled {c.Pool}×{c.Pool}), hidden layers "
                + $"[{string.Join(", ", c.Hidden)}] (ReLU, He initialization), {c.Steps} full-batch Adam steps, once "
                + $"with clean labels and once with {c.LabelNoise:P0} of them moved to another class. "
                + $"Forward-Forward: the label in the first 10 inputs (one-hot × the images' largest value), "
                + "length-normalized layer inputs, goodness G = mean h², per layer softplus(θ − G⁺) + "
                + "softplus(G⁻ − θ) "
                + $"with θ = {c.Threshold} and a random wrong label for the negative data, redrawn every step; it "
                + "predicts argmax_c Σ_l G_l(x with label c). Backprop: the same hidden layers with a linear head, "
                + "cross-entropy. The eNTK is of each noisy run's final network: the ten label scores (FF) or logits "
                + "(backprop), traced over outputs; the channel is λ ≥ τ·λ_max with τ = "
                + $"{c.ChannelThreshold}; shares are ‖V_cᵀR‖²_F/‖R‖²_F of the noise R = Y − Y_clean and "
                + $"of the "
                + "centred clean one-hot labels."
        );
        var outcome = new StudyOutcome(Verdicts(c, learners[0], learners[1]).ToList(), [.. Table.Summary(learners)]);
        var figure = ShareFigure(curves).Render();
        run.WriteFigure(figure.Name, figure.Svg, figure.Png);
        report.Figure(figure);
        Table.Html(report.Heading("Per learner"), learners);
        report.Paragraph("The four runs are in the sub-directories ff-*/ and bp-*/.");
        return outcome;
    }

    private static Arm Arm(ForwardForwardConfig c, bool ff, bool noisy)
    {
        var train = c.Train(noisy, ff);
        string name = $"{(ff ? "ff" : "bp")}-{(noisy ? "noisy" : "clean")}";
        if (!ff)
            return new Arm(name, new RunSpec { Config = train });
        TaskData? task = null;
        ForwardForwardNet? net = null;
        var negatives = Seeds.Generator(c.Seed + 4);
        return new Arm(
            name,
            new RunSpec
            {
                Config = train,
                Model = () =>
                {
                    double value = LabelValue(c);
                    net = new ForwardForwardNet(
                        [train.Model.Widths[0], .. c.Hidden],
                        10,
                        value,
                        c.Threshold,
                        Seeds.Generator(c.Seed + 1)
                    );
                    return net;
                },
                Task = _ =>
                {
                    task = train.Task.Create(c.Seed);
                    return task;
                },
                Objective = model =>
                {
                    var labels = task!.TrainY.argmax(1);
                    // a different label, uniformly: label + U{1, …, 9} mod 10
                    var shift = randint(1, 10, labels.shape, generator: negatives);
                    return ((ForwardForwardNet)model).Loss(task.TrainX, labels, (labels + shift).remainder(10));
                },
            }
        );
    }

    /// <summary>Hinton's "on" value for the embedded label: the training images' largest (standardized)
    /// value.</summary>
    private static double LabelValue(ForwardForwardConfig c)
    {
        using var task = c.Task(false).Create(c.Seed);
        return task.TrainX.max().item<double>();
    }

    private static (Learner, double[] Noise, double[] Clean) Measure(ForwardForwardConfig c, string name, RunResult r)
    {
        using var scope = NewDisposeScope();
        using var task = c.Task(true).Create(c.Seed);
        var model = r.Model;
        double memorized;
        using (no_grad())
        {
            var predicted = model.call(task.TrainX).argmax(1);
            var noisy = task.TrainY.argmax(1);
            var flipped = noisy.ne(task.TrainClean.argmax(1));
            memorized =
                predicted.eq(noisy).logical_and(flipped).sum().item<long>()
                / (double)Math.Max(1, flipped.sum().item<long>());
        }
        using var kernel = TracedKernel(model, task.TrainX, c.KernelBlock);
        using var partition = SpectralPartition.Of(kernel, c.ChannelThreshold);
        var noise = task.TrainY - task.TrainClean;
        var clean = task.TrainClean - task.TrainClean.mean([0], keepdim: true);
        var learner = new Learner(
            name,
            double.NaN,
            double.NaN,
            memorized,
            partition.ChannelShareOfColumns(noise),
            partition.ChannelShareOfColumns(clean),
            partition.ChannelSize
        );
        return (learner, Cumulative(partition, noise), Cumulative(partition, clean));
    }

    /// <summary>
    /// The traced eNTK K_SS by row blocks K[a, :] = J_a J_Sᵀ (<see cref="Ntk.Cross"/>): the Forward-Forward scores
    /// see each sample at ten positions, and the layer rules' position Grams for all n at once ([10n, 10n] per layer)
    /// do not fit in memory at n = 2,000 (21 GB measured); a block of b rows needs [10b, 10n].
    /// </summary>
    private static Tensor TracedKernel(nn.Module<Tensor, Tensor> model, Tensor x, int block)
    {
        long n = x.shape[0];
        var options = new NtkOptions { Traced = true };
        var rows = new List<Tensor>();
        for (long start = 0; start < n; start += block)
        {
            var part = x[TensorIndex.Slice(start, Math.Min(n, start + block))];
            rows.Add(Ntk.Cross(model, part, x, options));
        }
        var k = cat(rows, 0);
        foreach (var r in rows)
            r.Dispose();
        return k;
    }

    /// <summary>Σ_{i ≤ k} ‖v_iᵀR‖² / ‖R‖²_F for k = 1 … n.</summary>
    private static double[] Cumulative(SpectralPartition p, Tensor r)
    {
        using var scope = NewDisposeScope();
        var m = r.to_type(ScalarType.Float64);
        var per = p.Vectors.T.matmul(m).square().sum(1);
        return (per.cumsum(0) / m.square().sum()).data<double>().ToArray();
    }

    internal static IEnumerable<Verdict> Verdicts(ForwardForwardConfig c, Learner ff, Learner bp)
    {
        yield return c.AccuracyCriterion()
            .Verdict(
                "forward_forward_learns",
                "Forward-Forward learns the task (Hinton 2022)",
                $"clean test accuracy: FF {ff.CleanTestAccuracy:G3}, backprop {bp.CleanTestAccuracy:G3}",
                ff.CleanTestAccuracy
            );
        yield return ForwardForwardConfig
            .ReservoirCriterion()
            .Verdict(
                "noise_left_in_reservoir_by_both",
                "For both learners the label noise lies less in the channel than the clean labels do (THEORY §3: "
                    + "noise in the reservoir)",
                $"channel shares, clean / noise: FF {ff.CleanShare:G3} / {ff.NoiseShare:G3}, backprop "
                    + $"{bp.CleanShare:G3} / {bp.NoiseShare:G3}",
                Math.Min(ff.CleanShare - ff.NoiseShare, bp.CleanShare - bp.NoiseShare)
            );
        yield return c.SplitCriterion()
            .Verdict(
                "noise_split_agrees_with_backprop",
                "The noise's channel share of the Forward-Forward network agrees with backprop's",
                $"FF {ff.NoiseShare:G3} (channel {ff.ChannelSize}), backprop {bp.NoiseShare:G3} (channel "
                    + $"{bp.ChannelSize})",
                Math.Abs(ff.NoiseShare - bp.NoiseShare)
            );
        yield return c.CostCriterion()
            .Verdict(
                "noise_test_cost_agrees_with_backprop",
                "… and so does the test cost of the noise",
                $"FF {ff.Cost:G3} ({ff.CleanTestAccuracy:G3} → {ff.NoisyTestAccuracy:G3}; flipped labels memorized "
                    + $"{ff.FlippedMemorized:P0}), backprop {bp.Cost:G3} ({bp.CleanTestAccuracy:G3} → "
                    + $"{bp.NoisyTestAccuracy:G3}; memorized {bp.FlippedMemorized:P0})",
                Math.Abs(ff.Cost - bp.Cost)
            );
    }

    private static CurveFigure ShareFigure(List<(string Name, double[] Noise, double[] Clean)> curves) =>
        new()
        {
            Name = "channel_shares",
            Title = "Clean labels and noise in the final eNTK: Forward-Forward and backprop",
            XLabel = "k (top eigen-directions of the traced eNTK)",
            YLabel = "share in the top k",
            Caption =
                "Share of the centred clean one-hot labels (solid) and of the label noise (dashed) in the top k "
                + "eigen-directions of each noisy run's final eNTK. The theory's picture: the clean labels in the "
                + "top directions, the noise spread into the reservoir. x log-scaled.",
            X = Enumerable.Range(1, curves[0].Noise.Length).Select(k => (double)k).ToList(),
            LogX = true,
            Curves =
            [
                new("FF: clean labels", Colors.Crimson, [.. curves[0].Clean]),
                new("FF: noise", Colors.Crimson, [.. curves[0].Noise], Dashed: true),
                new("backprop: clean labels", Colors.Navy, [.. curves[1].Clean]),
                new("backprop: noise", Colors.Navy, [.. curves[1].Noise], Dashed: true),
            ],
        };
}
