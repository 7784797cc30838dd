using ScottPlot;
using Tangent.Channel;
using Tangent.Data;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// Grokking (issue 8, study 1): modular arithmetic with Gromov's x² network. Train and test accuracy, weight norm, the
/// Fourier structure of the first layer (inverse participation ratio per neuron), the centered kernel–target
/// alignment, and the share of the generalizing target (the true labels) inside the signal channel of the kernel over
/// time: does it start in the reservoir and enter the channel as the kernel rotates, when test accuracy jumps?
/// </summary>
public sealed class GrokkingStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "grokking";

    /// <inheritdoc/>
    public string Description =>
        "Grokking: modular arithmetic with the two-layer x² network (inputs two one-hots, no biases), full batch, "
        + "cross-entropy, AdamW (and SnrAdamW beside it). "
        + "Tracks train/test accuracy, the Fourier inverse participation ratio of the first layer, kernel–target "
        + "alignment, and the share of the target labels "
        + "inside the channel of the instantaneous eNTK — does the generalizing mode enter the channel when test "
        + "accuracy jumps (THEORY §3)?";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new GrokkingStudyConfig { Steps = 8000, Snapshots = 30 },
            // The published setting (Gromov 2023): p = 97, half of the pairs, N = 500, AdamW lr 1e-2, weight decay 5,
            // β = (0.9, 0.98), full batch, MSE.
            "full" => new GrokkingStudyConfig
            {
                Modulus = 97,
                Width = 500,
                WeightDecay = 5,
                Loss = LossKind.HalfMse,
                Steps = 600,
                Snapshots = 40,
                KernelSamples = 1000,
                InitStd = 0.5 / Math.Cbrt(2 * 500),
            },
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    /// <summary>Mean over neurons of the Fourier inverse participation ratio of the a-block of each neuron's input
    /// weights.</summary>
    private sealed class FourierIpr(int modulus, int every) : ITrainingObserver
    {
        public List<(int Step, double Ipr)> Rows { get; } = [];

        public void OnStep(TrainingState state)
        {
            if (state.Step % every != 0 && !state.Final)
                return;
            using var scope = NewDisposeScope();
            // x² network: each hidden neuron's weights on the a-block; embedding network: each embedding coordinate's
            // profile over tokens.
            var first = state.Model.parameters().First().detach().to_type(ScalarType.Float64);
            // [N, 2p] → the a-block; embedding [e, p] → all of it
            var w = first[TensorIndex.Colon, TensorIndex.Slice(0, modulus)];
            // drop the constant mode
            var power = fft.rfft(w, dim: 1).abs().Squared()[TensorIndex.Colon, TensorIndex.Slice(1, null)];
            var ipr = power.Squared().sum(1) / power.sum(1).Squared().clamp_min(1e-300);
            Rows.Add((state.Step, ipr.mean().item<double>()));
        }
    }

    private sealed record Trajectory(
        string Name,
        IReadOnlyList<TrainingMetrics> Metrics,
        List<(int Step, double Share, double Alignment, int ChannelDim)> Channel,
        List<(int Step, double Ipr)> Ipr
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
        var c = (GrokkingStudyConfig)configObject;
        ConfigException.Require(
            c.Architectures.Count > 0 && c.Architectures.All(a => a is "quadratic" or "relu-embedding"),
            "architectures",
            $"unknown architectures [{string.Join(", ", c.Architectures)}]",
            "use [\"quadratic\", \"relu-embedding\"] or one of them"
        );
        ConfigException.Require(
            double.IsFinite(c.InitStd) && c.InitStd >= 0,
            "init_std",
            $"must be ≥ 0, got {c.InitStd}",
            "use 0 (1/√fan_in) or e.g. 0.05"
        );
        var optimizers = c.CompareSnr ? new[] { OptimizerKind.AdamW, OptimizerKind.SnrAdamW } : [OptimizerKind.AdamW];
        var runs = c.Architectures.SelectMany(a => optimizers.Select(o => (Architecture: a, Optimizer: o))).ToList();
        var trajectories = new List<Trajectory>();
        foreach (var (architecture, kind) in runs)
        {
            string name =
                (architecture == "quadratic" ? "" : architecture.Replace('-', '_') + "_")
                + (kind == OptimizerKind.AdamW ? "adamw" : "snr_adamw");
            progress?.Report(
                new ProgressReport(name, trajectories.Count / (double)runs.Count, "training and recording")
            );
            var model =
                architecture == "quadratic"
                    ? new MlpConfig
                    {
                        Widths = [2 * c.Modulus, c.Width, c.Modulus],
                        Activation = Activation.Quadratic,
                        Bias = false,
                        Parameterization = Parameterization.Standard,
                        InitStd = c.InitStd,
                    }
                    : new MlpConfig
                    {
                        Widths = [2 * c.Modulus, c.Width, c.Modulus],
                        Activation = Activation.Relu,
                        Parameterization = Parameterization.Standard,
                        WeightStd = Math.Sqrt(2),
                        Embedding = c.EmbeddingDim,
                        Tokens = 2,
                    };
            var train = new TrainConfig
            {
                Task = new TaskConfig
                {
                    Kind = "modular",
                    Modulus = c.Modulus,
                    Operation = c.Operation,
                    TrainFraction = c.TrainFraction,
                },
                Model = model,
                Optimizer = new OptimizerConfig
                {
                    Kind = kind,
                    Lr = c.Lr,
                    Beta2 = c.Beta2,
                    WeightDecay = c.WeightDecay,
                },
                Loss = c.Loss,
                Steps = c.Steps,
                LogEvery = Math.Max(1, c.Steps / 600),
                Seed = c.Seed,
                RiskEstimate = false,
                // The instantaneous channel needs only the plain eNTK K = JJᵀ, so the kernel is recorded traced over
                // outputs and without AdamW's preconditioner: diagnostics of the spectrum, not path operators (which
                // cross-entropy would need full and preconditioned; tangent analyze refuses this record).
                Record = new RecordConfig
                {
                    Schedule = "log",
                    Count = c.Snapshots,
                    Traced = true,
                    MaxQuery = 1,
                    MaxTrain = c.KernelSamples,
                    Preconditioned = false,
                },
            };
            var fourier = new FourierIpr(c.Modulus, train.LogEvery);
            var result = Runner.RunArm(run, new Arm(name, new RunSpec { Config = train, Probes = [fourier] }), cancel);
            var metrics = result.Metrics;
            using var task = train.Task.Create(train.Seed);
            var index = result.Snapshots!;
            using var labels = index.TrainIndices is null
                ? task.TrainY.to_type(ScalarType.Float64)
                : task.TrainY.index_select(0, tensor(index.TrainIndices.ToArray())).to_type(ScalarType.Float64);
            var channel = new List<(int, double, double, int)>();
            foreach (var (step, i) in index.Steps.Select((s, i) => (s, i)))
            {
                using var snap = Snapshot.Read(result.Path, step, index.LearningRates[i]);
                using var scope = NewDisposeScope();
                using var split = SpectralPartition.Of(snap.Kss, c.ChannelThreshold);
                var yc = labels - labels.mean(new long[] { 0 }, keepdim: true);
                double inChannel = split.ChannelShareOfColumns(yc);
                channel.Add(
                    (step, inChannel, KernelDiagnostics.CenteredAlignment(snap.Kss, labels), split.ChannelSize)
                );
            }
            trajectories.Add(new Trajectory(name, metrics, channel, fourier.Rows));
        }

        int? Step(IEnumerable<TrainingMetrics> m, Func<TrainingMetrics, bool> p) => m.FirstOrDefault(p)?.Step;
        var verdicts = new List<Verdict>();
        foreach (var architecture in c.Architectures)
        {
            string prefix = architecture == "quadratic" ? "" : architecture.Replace('-', '_') + "_";
            string suffix = architecture == "quadratic" ? "" : "_" + architecture.Replace('-', '_');
            string label = architecture == "quadratic" ? "x² network" : "ReLU network with an embedding";
            var adam = trajectories.Single(t => t.Name == prefix + "adamw");
            int? fit = Step(adam.Metrics, m => m.TrainMetric >= 0.99);
            int? grok = Step(adam.Metrics, m => m.TestMetric >= 0.95);
            int? entry = adam.Channel.Any(x => x.Share >= 0.5) ? adam.Channel.First(x => x.Share >= 0.5).Step : null;
            int? half = Step(adam.Metrics, m => m.TestMetric >= 0.5);
            verdicts.Add(
                new(
                    "grokking_reproduced" + suffix,
                    $"{label}, AdamW: train accuracy reaches ~100 % long before held-out accuracy does (Power et "
                        + "al. 2022; Gromov 2023)",
                    $"train ≥ 99 % at step {fit?.ToString() ?? "never"}, held-out ≥ 95 % at step "
                        + $"{grok?.ToString() ?? $"never (final {adam.Metrics[^1].TestMetric:P1})"}",
                    "held-out step ≥ 5 × train step",
                    fit is { } f && grok is { } g && g >= 5 * Math.Max(1, f)
                )
            );
            double? heldOutAtFit = fit is { } f0 ? adam.Metrics.First(m => m.Step == f0).TestMetric : null;
            verdicts.Add(
                new(
                    "memorization_precedes_generalization" + suffix,
                    $"{label}, AdamW: the training set is fitted while held-out accuracy is still low, and held-out "
                        + "accuracy rises later",
                    $"held-out accuracy {heldOutAtFit?.ToString("P1") ?? "—"} when train first reaches 99 % (step "
                        + $"{fit?.ToString() ?? "never"}); held-out ≥ 95 % at step {grok?.ToString() ?? "never"}",
                    "below 50 % at the train step, ≥ 95 % later",
                    heldOutAtFit is < 0.5 && grok is not null
                )
            );
            verdicts.Add(
                new(
                    "target_starts_in_reservoir" + suffix,
                    $"{label}: the generalizing target starts mostly in the reservoir of the kernel (THEORY §3)",
                    $"share of the (centered) labels in the channel at step 0: {adam.Channel[0].Share:P1} (channel "
                        + $"of {adam.Channel[0].ChannelDim} directions)",
                    "below 50 %",
                    adam.Channel[0].Share < 0.5
                )
            );
            verdicts.Add(
                new(
                    "target_enters_channel" + suffix,
                    "… and enters the channel as the kernel rotates",
                    $"share at the end: {adam.Channel[^1].Share:P1}; first ≥ 50 % at step "
                        + $"{entry?.ToString() ?? "never"}",
                    "above 50 % at the end",
                    adam.Channel[^1].Share >= 0.5
                )
            );
            verdicts.Add(
                new(
                    "entry_coincides_with_test_jump" + suffix,
                    "The target enters the channel when held-out accuracy jumps",
                    $"channel entry at step {entry?.ToString() ?? "never"}, held-out accuracy crosses 50 % at step "
                        + $"{half?.ToString() ?? "never"}",
                    "within a factor 2 of each other",
                    entry is { } en && half is { } h && en <= 2 * Math.Max(1, h) && h <= 2 * Math.Max(1, en)
                )
            );
            verdicts.Add(
                new(
                    "fourier_features_emerge" + suffix,
                    $"{label}: the first layer becomes Fourier-sparse (Gromov 2023): the inverse participation "
                        + "ratio grows",
                    $"mean IPR {adam.Ipr[0].Ipr:G3} at step 0, {adam.Ipr[^1].Ipr:G3} at the end",
                    "at least doubles",
                    adam.Ipr[^1].Ipr >= 2 * adam.Ipr[0].Ipr
                )
            );
            if (trajectories.SingleOrDefault(t => t.Name == prefix + "snr_adamw") is { } snr)
            {
                int? snrGrok = Step(snr.Metrics, m => m.TestMetric >= 0.95);
                verdicts.Add(
                    new(
                        "snr_adamw_groks_faster" + suffix,
                        $"{label}: SNR-gated AdamW reaches 95 % held-out accuracy sooner than AdamW (the preprint's "
                            + "claim)",
                        $"AdamW at step {grok?.ToString() ?? "never"}, SnrAdamW at step "
                            + $"{snrGrok?.ToString() ?? "never"}",
                        "SnrAdamW's step < AdamW's (never counts as slower)",
                        snrGrok is { } sg && (grok is null || sg < grok)
                    )
                );
            }
        }
        var acc = Figure.NewPlot("Grokking: accuracy", "step + 1", "accuracy");
        var share = Figure.NewPlot("The labels in the kernel's channel", "step + 1", "share / alignment");
        var palette = new[] { Colors.Navy, Colors.Crimson, Colors.SeaGreen, Colors.DarkOrange };
        for (int i = 0; i < trajectories.Count; i++)
        {
            var t = trajectories[i];
            var x = t.Metrics.Select(m => Math.Log10(m.Step + 1)).ToArray();
            var a = acc.Add.ScatterLine(x, t.Metrics.Select(m => m.TestMetric).ToArray());
            a.Color = palette[i % palette.Length];
            a.LineWidth = 2.5f;
            a.LegendText = $"{t.Name} held-out";
            var b = acc.Add.ScatterLine(x, t.Metrics.Select(m => m.TrainMetric).ToArray());
            b.Color = palette[i % palette.Length];
            b.LinePattern = LinePattern.Dotted;
            b.LegendText = $"{t.Name} train";
            var cx = t.Channel.Select(v => Math.Log10(v.Step + 1)).ToArray();
            var s1 = share.Add.Scatter(cx, t.Channel.Select(v => v.Share).ToArray());
            s1.Color = palette[i % palette.Length];
            s1.LineWidth = 2.5f;
            s1.LegendText = $"{t.Name}: in channel";
            var s2 = share.Add.ScatterLine(cx, t.Channel.Select(v => v.Alignment).ToArray());
            s2.Color = palette[i % palette.Length];
            s2.LinePattern = LinePattern.Dashed;
            s2.LineWidth = 2;
            s2.LegendText = $"{t.Name}: alignment";
        }
        Figure.LogX(acc);
        acc.Axes.SetLimitsY(0, 1.02);
        acc.ShowLegend(Edge.Right);
        Figure.LogX(share);
        share.Axes.SetLimitsY(0, 1.02);
        share.ShowLegend(Edge.Right);
        var ipr = Figure.NewPlot(
            "Fourier structure of the first layer",
            "step + 1",
            "mean inverse participation ratio"
        );
        for (int i = 0; i < trajectories.Count; i++)
        {
            var t = trajectories[i];
            var l = ipr.Add.ScatterLine(
                t.Ipr.Select(v => Math.Log10(v.Step + 1)).ToArray(),
                t.Ipr.Select(v => v.Ipr).ToArray()
            );
            l.Color = palette[i % palette.Length];
            l.LineWidth = 2.5f;
            l.LegendText = t.Name;
        }
        Figure.LogX(ipr);
        ipr.ShowLegend(Alignment.UpperLeft);
        var figures = new[]
        {
            Figure.Render(acc, "accuracy", "Train (dotted) and held-out (solid) accuracy.", width: 1200),
            Figure.Render(
                share,
                "label_channel",
                "Share of the centered training labels inside the channel of the instantaneous eNTK (eigenvalues ≥ "
                    + $"{c.ChannelThreshold}·λ_max, traced over outputs; solid) and the centered kernel–target "
                    + "alignment (dashed).",
                width: 1200
            ),
            Figure.Render(
                ipr,
                "fourier_ipr",
                "Mean inverse participation ratio of the Fourier power over a of each first-layer neuron's "
                    + "a-weights (x² network) or of each embedding coordinate (embedding network): about 2/p for a "
                    + "flat spectrum, 1 for a single frequency."
            ),
        };
        foreach (var fig in figures)
            run.WriteFigure(fig.Name, fig.Svg, fig.Png);
        report.Heading("Trajectories");
        foreach (var fig in figures)
            report.Figure(fig);
        report.Paragraph(
            "Each run (metrics, kernel snapshots) is in its sub-directory: "
                + $"{string.Join(", ", trajectories.Select(t => t.Name + "/"))}. "
                + "Loss "
                + (c.Loss == LossKind.HalfMse ? "½-MSE on one-hot targets (Gromov 2023)" : "cross-entropy")
                + $"; the ReLU network embeds a and b with one shared table of dimension {c.EmbeddingDim}."
        );
        var results = new List<KeyValuePair<string, object?>>();
        foreach (var t in trajectories)
        {
            results.Add(new($"{t.Name}_step_train_99", Step(t.Metrics, m => m.TrainMetric >= 0.99)));
            results.Add(new($"{t.Name}_step_test_95", Step(t.Metrics, m => m.TestMetric >= 0.95)));
            results.Add(new($"{t.Name}_final_test_accuracy", t.Metrics[^1].TestMetric));
            results.Add(new($"{t.Name}_label_share_in_channel_start", t.Channel[0].Share));
            results.Add(new($"{t.Name}_label_share_in_channel_end", t.Channel[^1].Share));
        }
        return new StudyOutcome(verdicts, results);
    }
}
