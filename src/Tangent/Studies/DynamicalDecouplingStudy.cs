using System.Globalization;
using ScottPlot;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>
/// Dynamical decoupling (Montanari &amp; Urbani 2025): in large two-layer networks the time to generalize stays put
/// while the time at which the label noise starts being fitted grows with n, so test error is non-monotone in time.
/// The channel account predicts the same separation through the relaxation times n/(ηλ) of the kernel's modes; the
/// study sets the measured onset beside the time at which the noise's share in the channel of the realized-path
/// Gramian W_S(0, t) crosses ½ (<see cref="NoiseTimeline"/>), and the validation-free risk estimate beside the test
/// loss. One arm per (width, n).
/// </summary>
public sealed class DynamicalDecouplingStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "dynamical-decoupling";

    /// <inheritdoc/>
    public string Description =>
        "Dynamical decoupling (Montanari & Urbani, NeurIPS 2025): two-layer ReLU networks trained by gradient descent "
        + "on a noisy teacher task across n and width. Does the time to generalize stay put while the overfitting "
        + "onset grows with n, and does the channel account — the time at which the label noise's share in the "
        + "channel of the realized-path Gramian W_S(0, t) crosses ½ — predict that onset?";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new DynamicalDecouplingConfig
            {
                Samples = [50, 100, 200],
                Widths = [256],
                TestSamples = 300,
                Steps = 3000,
                Snapshots = 24,
            },
            "full" => new DynamicalDecouplingConfig { RiskEvery = 10, Widths = [128] },
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    /// <summary>One run's measurements.</summary>
    /// <param name="Width">Hidden width.</param>
    /// <param name="N">Training-set size.</param>
    /// <param name="Run">The run.</param>
    /// <param name="Noise">Its noise timeline.</param>
    /// <param name="Times">Its measured times.</param>
    internal sealed record Point(int Width, int N, RunResult Run, NoiseTimeline Noise, DecouplingTimes Times);

    private static readonly ResultTable<Point> Table = new(
        [
            new("width", p => p.Width, "width", Formatter: ResultColumn<Point>.Plain),
            new("n", p => p.N, "n", Formatter: ResultColumn<Point>.Plain),
            new("t_gen", p => p.Times.Generalization, "t_gen", "t_gen"),
            new("t_best", p => p.Times.Best, "t_best (test minimum)", "t_best"),
            new("min_test_loss", p => p.Times.MinTestLoss, "min test loss", "min_test_loss"),
            new("final_test_loss", p => p.Times.FinalTestLoss, "final test loss", "final_test_loss"),
            new("test_rise", p => p.Times.Rise, "rise after minimum", "test_rise"),
            new("t_over", p => p.Times.Onset, "t_over (test onset)", "t_over"),
            new("t_fit_half", p => p.Times.HalfFitted, "t: half the noise fitted", "t_fit_half"),
            new("t_channel_half", p => p.Times.ChannelHalf, "t: noise half in channel", "t_channel_half"),
            new("t_best_risk_estimate", p => p.Times.BestRiskEstimate, "t_best of R̂", "t_best_risk_estimate"),
            new(
                "noise_channel_share_end",
                p => p.Run.Paths.Cells?.NoiseChannelShare ?? double.NaN,
                "noise in channel (end)",
                "noise_channel_share_end"
            ),
            new(
                "clean_channel_share_end",
                p => p.Run.Paths.Cells?.CleanChannelShare ?? double.NaN,
                "clean labels in channel (end)",
                "clean_channel_share_end"
            ),
            new("kernel_drift", p => p.Run.Paths.KernelDriftFrobenius, "kernel drift", "kernel_drift"),
        ],
        p => $"w{p.Width}_n{p.N}"
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
        var c = ((DynamicalDecouplingConfig)configObject).Validate();
        var plan = c
            .Widths.SelectMany(w => c.Samples.Order().Select(n => (Width: w, N: n, Trace: Trace(c, n, w))))
            .ToList();
        var arms = plan.SelectMany(p =>
                new[]
                {
                    new Arm($"w{p.Width}-n{p.N}", new RunSpec { Config = c.Train(p.N, p.Width), Analysis = new() }),
                    CleanTwin(c, p.N, p.Width, p.Trace),
                }
            )
            .ToList();
        var results = Runner.RunArms(run, arms, progress, cancel);
        var points = plan.Select(
                (p, k) =>
                {
                    var r = results[2 * k];
                    var noise = Timeline(r, p.Trace, cancel);
                    return new Point(p.Width, p.N, r, noise, DecouplingTimes.Of(r.Metrics, noise, c));
                }
            )
            .ToList();
        Table.WriteCsv(run, RunDirectory.MetricsFile, points);
        run.WriteTable(
            "noise_timeline.csv",
            ["width", "n", "step", "noise_channel_share", "noise_fitted_share", "channel_dimension"],
            points.SelectMany(p =>
                p.Noise.Steps.Select(
                    (s, k) =>
                        (IReadOnlyList<double?>)
                            [p.Width, p.N, s, p.Noise.ChannelShare[k], p.Noise.Fitted[k], p.Noise.ChannelDimensions[k]]
                )
            )
        );
        var verdicts = Verdicts(c, [.. points.Select(p => (p.Width, p.N, p.Times))]).ToList();
        report.Paragraph(
            $"Teacher task: d = {c.Dimension}, a tanh teacher of width {c.TeacherWidth}, label noise std "
                + $"{c.NoiseStd.ToString(CultureInfo.InvariantCulture)} on the training targets (test targets clean); "
                + $"two-layer ReLU students (NTK parameterization) trained by full-batch GD at η = "
                + $"{c.Lr.ToString(CultureInfo.InvariantCulture)} for {c.Steps} steps. t_gen: the first step with "
                + $"{c.GenFraction:P0} of the test loss's improvement made; t_over: the first step after the test "
                + $"minimum with the test loss {c.OverfitRise:P0} above it (Montanari & Urbani's non-monotone test "
                + "error); half the noise fitted: ⟨U_S(t) − U′_S(t), ε⟩/‖ε‖² = ½, with U′ the "
                + "outputs of the clean twin (the same initial network trained on the clean targets); noise half in "
                + "channel: the label "
                + "noise's share in the channel of W_S(0, t) at λ⋆ = (n/2)(1 − e⁻²) reaches ½ — the channel "
                + "account's prediction. Crossing times are interpolated in log t between snapshots."
        );
        foreach (int w in c.Widths)
        {
            var rows = points.Where(p => p.Width == w).OrderBy(p => p.N).ToList();
            foreach (
                var figure in new[]
                {
                    TestFigure(rows, w, false),
                    TimesFigure(rows, w),
                    NoiseFigure(rows, w),
                    TestFigure(rows, w, true),
                }
            )
            {
                var rendered = figure.Render();
                run.WriteFigure(rendered.Name, rendered.Svg, rendered.Png);
                report.Figure(rendered);
            }
            Table.Html(report.Heading($"Width {w}"), rows);
        }
        report.Paragraph(
            "Each run (metrics, kernel snapshots, path analysis) is in its sub-directory w*-n*/, its clean twin in "
                + "w*-n*-clean/."
        );
        return new StudyOutcome(verdicts, [.. Table.Summary(points)]);
    }

    private static OutputTrace Trace(DynamicalDecouplingConfig c, int n, int width) =>
        new(c.Train(n, width).Record!.StepsFor(c.Steps));

    /// <summary>The clean twin of arm (n, width): the same initial model trained the same way on the clean targets
    /// (a provided task), its training outputs kept at the snapshot steps.</summary>
    private static Arm CleanTwin(DynamicalDecouplingConfig c, int n, int width, OutputTrace trace)
    {
        var noisy = c.Train(n, width);
        var config = noisy with
        {
            Task = new Data.TaskConfig
            {
                Kind = "provided",
                Description =
                    $"the teacher task of w{width}-n{n} (seed {c.Seed}) with its label noise removed: the "
                    + "clean twin",
                TrainSamples = n,
                TestSamples = c.TestSamples,
                Dimension = c.Dimension,
                Outputs = 1,
            },
            Record = null,
            RiskEstimate = false,
            RiskEvery = null,
        };
        return new Arm(
            $"w{width}-n{n}-clean",
            new RunSpec
            {
                Config = config,
                Task = _ =>
                {
                    using var task = noisy.Task.Create(noisy.Seed);
                    return new Data.TaskData(
                        task.TrainX.clone(),
                        task.TrainClean.clone(),
                        task.TrainClean.clone(),
                        task.TestX.clone(),
                        task.TestY.clone()
                    );
                },
                Probes = [trace],
            }
        );
    }

    private static NoiseTimeline Timeline(RunResult r, OutputTrace twin, CancellationToken cancel)
    {
        var index = r.Snapshots ?? throw new InvalidOperationException($"the run at {r.Path} recorded no kernels");
        var window = index.Steps.Select((s, k) => Snapshot.Read(r.Path, s, index.LearningRates[k])).ToList();
        try
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            var noise = AnalyzeRun.Load(r.Path, "Y_S") - AnalyzeRun.Load(r.Path, "Y_S_clean");
            return NoiseTimeline.Compute(window, index, noise, [.. index.Steps.Select(twin.At)], cancel);
        }
        finally
        {
            foreach (var s in window)
                s.Dispose();
        }
    }

    internal static IEnumerable<Verdict> Verdicts(
        DynamicalDecouplingConfig c,
        IReadOnlyList<(int Width, int N, DecouplingTimes Times)> points
    )
    {
        var byWidth = points.GroupBy(p => p.Width).Select(g => g.OrderBy(p => p.N).ToList()).ToList();
        string perWidth(Func<List<(int Width, int N, DecouplingTimes Times)>, string> f) =>
            string.Join("; ", byWidth.Select(g => $"w {g[0].Width}: {f(g)}"));

        double spread = byWidth.Max(g => DecouplingTimes.Spread(g.Select(p => p.Times.Generalization)));
        yield return c.GenSpreadCriterion()
            .Verdict(
                "generalization_time_stays_put",
                "The time to generalize does not grow with n (Montanari & Urbani: feature learning on an O(1) time "
                    + "scale)",
                perWidth(g => "t_gen " + string.Join(", ", g.Select(p => $"{p.Times.Generalization:G3} (n {p.N})"))),
                spread
            );

        double slope = byWidth.Min(g => DecouplingTimes.LogSlope(g.Select(p => ((double)p.N, p.Times.Onset))));
        yield return c.OnsetSlopeCriterion()
            .Verdict(
                "overfitting_onset_grows_with_n",
                "The overfitting onset grows with n (Montanari & Urbani: a slow time scale growing with n/d)",
                perWidth(g =>
                    "t_over "
                    + string.Join(", ", g.Select(p => $"{p.Times.Onset:G3} (n {p.N})"))
                    + $"; slope {DecouplingTimes.LogSlope(g.Select(p => ((double)p.N, p.Times.Onset))):G3}"
                ),
                slope
            );

        double rise = byWidth.Min(g => g[0].Times.Rise);
        yield return c.RiseCriterion()
            .Verdict(
                "test_error_non_monotone",
                "Test error is non-monotone in time: it falls, then rises as the noise is fitted",
                perWidth(g => $"rise {g[0].Times.Rise:P1} after the minimum at step {g[0].Times.Best} (n {g[0].N})"),
                rise
            );

        foreach (
            var (name, measured, claim, time) in new (string, string, string, Func<DecouplingTimes, double>)[]
            {
                (
                    "channel_predicts_noise_fitting",
                    "the time half the noise is fitted",
                    "The channel account predicts when the noise is fitted: its share in the channel of W_S(0, t) "
                        + "crosses ½ when half of it has been fitted (THEORY §2–3)",
                    t => t.HalfFitted
                ),
                (
                    "channel_predicts_overfitting_onset",
                    "the measured overfitting onset t_over",
                    "The channel account predicts the overfitting onset within a factor of 2: the noise's channel "
                        + "crossing against t_over",
                    t => t.Onset
                ),
            }
        )
            yield return c.FactorCriterion(measured)
                .Verdict(
                    name,
                    claim,
                    string.Join(
                        "; ",
                        points.Select(p => $"w {p.Width} n {p.N}: {p.Times.ChannelHalf:G3} vs {time(p.Times):G3}")
                    ),
                    DecouplingTimes.WorstFinite(
                        points.Select(p => DecouplingTimes.Factor(p.Times.ChannelHalf, time(p.Times), p.Times.Horizon))
                    )
                );
    }

    private static readonly Color[] Palette =
    [
        Colors.Navy,
        Colors.Crimson,
        Colors.SeaGreen,
        Colors.DarkOrange,
        Colors.Purple,
        Colors.Teal,
        Colors.Brown,
    ];

    private static Color Shade(int k) => Palette[k % Palette.Length];

    private static CurveFigure TestFigure(List<Point> rows, int width, bool withRisk)
    {
        var steps = rows[0].Run.Metrics.Select(m => (double)m.Step).ToList();
        var test = rows.Select(
            (p, k) =>
                new CurveFigure.Curve($"test, n = {p.N}", Shade(k), Aligned(p.Run.Metrics, steps, m => m.TestLoss))
        );
        var risk = rows.Select(
            (p, k) =>
                new CurveFigure.Curve(
                    $"R̂, n = {p.N}",
                    Shade(k),
                    Aligned(p.Run.Metrics, steps, m => m.RiskEstimate ?? double.NaN),
                    Dashed: true
                )
        );
        return new()
        {
            Name = withRisk ? $"risk_estimate_w{width}" : $"test_loss_w{width}",
            Title = withRisk
                ? $"The validation-free risk estimate beside the test loss (width {width})"
                : $"Test loss over training (width {width})",
            XLabel = "step + 1",
            YLabel = "loss (½-MSE)",
            Caption = withRisk
                ? "The held-out test loss (solid) and the population-risk estimate R̂ of THEORY §5 from the "
                    + "training run alone (dashed), one colour per n; x log-scaled, y linear (R̂ can be negative)."
                : "The held-out test loss against the step, one colour per n (both axes log-scaled). Montanari & "
                    + "Urbani's claim: the minimum comes at the same time for every n, the rise later for larger n.",
            X = steps.Select(s => s + 1).ToList(),
            LogX = true,
            LogY = !withRisk,
            Curves = withRisk ? [.. test, .. risk] : [.. test],
        };
    }

    private static List<double> Aligned(
        IReadOnlyList<TrainingMetrics> metrics,
        List<double> steps,
        Func<TrainingMetrics, double> value
    )
    {
        var byStep = metrics.ToDictionary(m => (double)m.Step, value);
        return steps.Select(s => byStep.TryGetValue(s, out double v) ? v : double.NaN).ToList();
    }

    private static CurveFigure TimesFigure(List<Point> rows, int width) =>
        new()
        {
            Name = $"decoupling_times_w{width}",
            Title = $"When the network generalizes and when it overfits, against n (width {width})",
            XLabel = "training-set size n",
            YLabel = "step",
            Caption =
                "Measured (solid): t_gen, the overfitting onset t_over of the test loss, and the time half the label "
                + "noise is fitted. The channel account's prediction (dashed): the time the noise's share in the "
                + "channel of W_S(0, t) crosses ½. Both axes log-scaled; a missing point was not reached within the "
                + "run.",
            X = rows.Select(p => (double)p.N).ToList(),
            LogX = true,
            LogY = true,
            Curves =
            [
                new("t_gen (test loss 95 % down)", Colors.SeaGreen, rows.Select(p => p.Times.Generalization).ToList()),
                new("t_over (test loss rises)", Colors.Crimson, rows.Select(p => p.Times.Onset).ToList()),
                new("half the noise fitted", Colors.Navy, rows.Select(p => p.Times.HalfFitted).ToList()),
                new(
                    "channel: noise half in W_S's channel",
                    Colors.DarkOrange,
                    rows.Select(p => p.Times.ChannelHalf).ToList(),
                    Dashed: true
                ),
            ],
        };

    private static CurveFigure NoiseFigure(List<Point> rows, int width)
    {
        var steps = rows[0].Noise.Steps.Select(s => (double)s).ToList();
        return new()
        {
            Name = $"noise_timeline_w{width}",
            Title = $"Label noise fitted, and held by the channel (width {width})",
            XLabel = "step + 1",
            YLabel = "share of ‖ε‖²",
            Caption =
                "Solid: the share of the label noise the training outputs have fitted, "
                + "⟨U_S(t) − U′_S(t), ε⟩/‖ε‖² "
                + "(U′: the clean twin's outputs). "
                + "Dashed: the channel account's reading, the noise's share in the channel of W_S(0, t) at λ⋆. One "
                + "colour per n; x log-scaled.",
            X = steps.Select(s => s + 1).ToList(),
            LogX = true,
            Curves =
            [
                .. rows.Select((p, k) => new CurveFigure.Curve($"fitted, n = {p.N}", Shade(k), Over(p, steps, true))),
                .. rows.Select(
                    (p, k) =>
                        new CurveFigure.Curve($"in channel, n = {p.N}", Shade(k), Over(p, steps, false), Dashed: true)
                ),
            ],
        };
    }

    private static List<double> Over(Point p, List<double> steps, bool fitted)
    {
        var values = fitted ? p.Noise.Fitted : p.Noise.ChannelShare;
        var byStep = p.Noise.Steps.Select((s, k) => (s, k)).ToDictionary(x => (double)x.s, x => values[x.k]);
        return steps.Select(s => byStep.TryGetValue(s, out double v) ? v : double.NaN).ToList();
    }
}
