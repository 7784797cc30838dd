using System.Globalization;
using ScottPlot;
using Tangent.Data;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Theory;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// Uniform convergence may be unable to explain generalization (Nagarajan &amp; Kolter 2019): on two concentric
/// hyperspheres a wide ReLU network's test error falls with n while the spectral-norm bounds grow, and on the
/// reflected training set S′ the learned classifier errs almost everywhere, so any uniform-convergence bound over the
/// classifiers the algorithm outputs is vacuous. Beside it, the theory's answer to the failure: the validation-free
/// risk estimate R̂ (THEORY §5) read off the same runs. One arm per n.
/// </summary>
public sealed class UniformConvergenceStudy : IStudy
{
    /// <summary>Fraction of the stopping rule met at the end of each run.</summary>
    private const string MarginReached = "margin_reached";

    /// <inheritdoc/>
    public string Name => "uniform-convergence";

    /// <inheritdoc/>
    public string Description =>
        "Uniform convergence (Nagarajan & Kolter 2019): a wide one-hidden-layer ReLU network trained by SGD to a "
        + "fixed margin on two concentric hyperspheres, across n. Does the test error fall while the spectral-norm "
        + "bounds of Bartlett et al. and Neyshabur et al. grow, is the bound vacuous on the reflected training set, "
        + "and does the theory's validation-free risk estimate track the test loss instead?";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new UniformConvergenceConfig
            {
                Dimension = 100,
                Width = 256,
                Samples = [64, 128, 256, 512],
                TestSamples = 1000,
                Margin = 5,
                MaxSteps = 4000,
            },
            "full" => new UniformConvergenceConfig(),
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    /// <summary>One run's measurements.</summary>
    internal sealed record Point(
        int N,
        int Steps,
        double MarginShare,
        double TrainError,
        double TestError,
        double ReflectedError,
        double TestLoss,
        double RiskEstimate,
        double Distance,
        double Bartlett,
        double Neyshabur
    )
    {
        public double RiskGap => Math.Abs(RiskEstimate - TestLoss) / TestLoss;
    }

    private static readonly ResultTable<Point> Table = new(
        [
            new("n", p => p.N, "n", Formatter: ResultColumn<Point>.Plain),
            new("steps", p => p.Steps, "SGD steps", "steps", ResultColumn<Point>.Plain),
            new(MarginReached, p => p.MarginShare, "share with margin ≥ γ", MarginReached),
            new("train_error", p => p.TrainError, "train error", "train_error"),
            new("test_error", p => p.TestError, "test error", "test_error"),
            new("reflected_error", p => p.ReflectedError, "error on S′", "reflected_error"),
            new("test_loss", p => p.TestLoss, "test loss", "test_loss"),
            new("risk_estimate", p => p.RiskEstimate, "R̂ (validation-free)", "risk_estimate"),
            new("distance_from_init", p => p.Distance, "‖W − W₀‖_F", "distance_from_init"),
            new("bartlett_bound", p => p.Bartlett, "Bartlett et al. 2017", "bartlett_bound"),
            new("neyshabur_bound", p => p.Neyshabur, "Neyshabur et al. 2018", "neyshabur_bound"),
        ],
        p => $"n{p.N}"
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
        var c = ((UniformConvergenceConfig)configObject).Validate();
        var sizes = c.Samples.Order().ToList();
        var arms = sizes.Select(n => Arm(c, n)).ToList();
        var results = Runner.RunArms(run, arms, progress, cancel);
        var points = sizes.Select((n, k) => Measure(c, n, arms[k], results[k])).ToList();
        Table.WriteCsv(run, RunDirectory.MetricsFile, points);
        string Show(double x) => x.ToString(CultureInfo.InvariantCulture);
        report.Paragraph(
            $"Two spheres in ℝ^{c.Dimension} of radii {Show(c.InnerRadius)} and {Show(c.OuterRadius)}; a "
                + $"{c.Width}-wide ReLU network (He initialization, zero biases, two outputs) trained by SGD (η = "
                + $"{Show(c.Lr)}, batch {c.BatchSize}) on the mean cross-entropy until {c.MarginShare:P0} of the "
                + $"training points have margin u_y − u_other ≥ γ = {Show(c.Margin)} "
                + $"(at most {c.MaxSteps} steps). "
                + "The bounds are the forms Nagarajan & Kolter plot, with the initialization as reference and without "
                + "constants or log factors, so their growth in n is the reading. S′ moves each training point onto "
                + "the other sphere with its label flipped: correctly labelled and distributed like a fresh sample."
        );
        var outcome = new StudyOutcome(Verdicts(c, points).ToList(), [.. Table.Summary(points)]);
        foreach (var figure in new[] { BoundsFigure(points), ErrorFigure(points) })
        {
            var rendered = figure.Render();
            run.WriteFigure(rendered.Name, rendered.Svg, rendered.Png);
            report.Figure(rendered);
        }
        Table.Html(report.Heading("Across n"), points);
        report.Paragraph("Each n's run (metrics, arrays, report) is in its sub-directory n-*/.");
        return outcome;
    }

    private static Arm Arm(UniformConvergenceConfig c, int n)
    {
        int checks = 0;
        return new Arm(
            $"n-{n}",
            new RunSpec
            {
                Config = c.Train(n),
                Task = _ => HypersphereTask.Create(n, c.TestSamples, c.Dimension, c.InnerRadius, c.OuterRadius, c.Seed),
                StopWhen = state =>
                {
                    if (checks++ % c.CheckEvery != 0)
                        return false;
                    return ShareAtMargin(state.Model, state.Task.TrainX, state.Task.TrainY, c.Margin) >= c.MarginShare;
                },
            }
        );
    }

    private static double[] Margins(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return NormBounds.Margins(model.call(x), y);
    }

    private static double ShareAtMargin(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y, double gamma)
    {
        var margins = Margins(model, x, y);
        return margins.Count(m => m >= gamma) / (double)margins.Length;
    }

    /// <summary>The error: the share of points with margin ≤ 0 (a tie counts as an error).</summary>
    private static double Error(nn.Module<Tensor, Tensor> model, Tensor x, Tensor y)
    {
        var margins = Margins(model, x, y);
        return margins.Count(m => m <= 0) / (double)margins.Length;
    }

    private static Point Measure(UniformConvergenceConfig c, int n, Arm arm, RunResult r)
    {
        using var scope = NewDisposeScope();
        using var task = HypersphereTask.Create(n, c.TestSamples, c.Dimension, c.InnerRadius, c.OuterRadius, c.Seed);
        using var initial = arm.Spec.BuildModel();
        var weights = NormBounds.AffineMatrices([.. r.Model.parameters().Select(p => p.detach())]);
        var start = NormBounds.AffineMatrices([.. initial.parameters().Select(p => p.detach())]);
        var inputs = weights[0].shape[1] > task.TrainX.shape[1] ? NormBounds.WithOnes(task.TrainX) : task.TrainX;
        var (xr, yr) = HypersphereTask.Reflect(task.TrainX, task.TrainY, c.InnerRadius, c.OuterRadius);
        var withRisk = r.Metrics.LastOrDefault(m => m.RiskEstimate is not null);
        return new Point(
            n,
            r.Final.Step,
            ShareAtMargin(r.Model, task.TrainX, task.TrainY, c.Margin),
            Error(r.Model, task.TrainX, task.TrainY),
            Error(r.Model, task.TestX, task.TestY),
            Error(r.Model, xr, yr),
            r.Final.TestLoss,
            withRisk?.RiskEstimate ?? double.NaN,
            NormBounds.Distance(weights, start),
            NormBounds.Bartlett(weights, start, inputs, c.Margin),
            NormBounds.Neyshabur(weights, start, inputs, c.Margin)
        );
    }

    internal static IEnumerable<Verdict> Verdicts(UniformConvergenceConfig c, IReadOnlyList<Point> points)
    {
        Point small = points[0],
            large = points[^1];
        var logN = points.Select(p => Math.Log(p.N)).ToList();
        double Slope(Func<Point, double> f) =>
            points.All(p => f(p) > 0) ? Statistics.Slope(logN, [.. points.Select(p => Math.Log(f(p)))]) : double.NaN;
        string Series(Func<Point, double> f) => string.Join(", ", points.Select(p => $"{f(p):G3} (n {p.N})"));

        yield return c.ErrorCriterion()
            .Verdict(
                "test_error_falls_with_n",
                "The test error falls as n grows (Nagarajan & Kolter, Fig. 1)",
                "test error " + Series(p => p.TestError),
                small.TestError > 0 ? large.TestError / small.TestError : double.NaN
            );
        foreach (
            var (name, label, f) in new (string, string, Func<Point, double>)[]
            {
                ("bartlett_bound_grows_with_n", "the spectral bound of Bartlett et al. 2017", p => p.Bartlett),
                (
                    "neyshabur_bound_grows_with_n",
                    "the PAC-Bayes spectral bound of Neyshabur et al. 2018",
                    p => p.Neyshabur
                ),
                ("distance_from_init_grows_with_n", "the distance ‖W − W₀‖_F", p => p.Distance),
            }
        )
            yield return c.GrowthCriterion(label)
                .Verdict(
                    name,
                    $"… while {label} grows with n (N&K, Fig. 1)",
                    $"{Series(f)}; slope {Slope(f):G3}",
                    Slope(f)
                );
        yield return c.VacuousCriterion()
            .Verdict(
                "reflected_set_makes_uniform_convergence_vacuous",
                "On the reflected training set S′ the classifier errs almost everywhere although its test error is "
                    + "small, so uniform convergence over the classifiers SGD outputs is vacuous (N&K, §4)",
                $"at n = {large.N}: error on S′ {large.ReflectedError:G3}, test error {large.TestError:G3}",
                large.ReflectedError - large.TestError
            );
        double rank = Statistics.Spearman([.. points.Select(p => p.RiskEstimate)], [.. points.Select(p => p.TestLoss)]);
        yield return c.RiskRankCriterion()
            .Verdict(
                "risk_estimate_orders_sample_sizes",
                "The validation-free risk estimate R̂ ranks the sample sizes as the test loss does (THEORY §5: the "
                    + "theory's answer where uniform convergence fails)",
                $"R̂ {Series(p => p.RiskEstimate)}; test loss {Series(p => p.TestLoss)}; Spearman {rank:G3}",
                points.All(p => double.IsFinite(p.RiskEstimate)) ? rank : double.NaN
            );
        double gap = points.Max(p => p.RiskGap);
        yield return c.RiskGapCriterion()
            .Verdict(
                "risk_estimate_matches_test_loss",
                "… and matches its value (THEORY §5)",
                $"largest relative gap {gap:G3} (n {points.MaxBy(p => p.RiskGap)!.N})",
                points.All(p => double.IsFinite(p.RiskEstimate)) ? gap : double.NaN
            );
    }

    private static CurveFigure BoundsFigure(List<Point> points) =>
        new()
        {
            Name = "norm_bounds",
            Title = "The norm-based bounds and the distance from initialization against n",
            XLabel = "training-set size n",
            YLabel = "bound (no constants), distance",
            Caption =
                "Bartlett et al. 2017 (‖X‖_F R_A/(γn)) and Neyshabur et al. 2018 "
                + "(√(B²L²h ln(Lh) Π‖A‖²_σ Σ‖A − M‖²_F/‖A‖²_σ/(γ²n))) "
                + "at the stopping margin γ, and "
                + "‖W − W₀‖_F, against n (both axes "
                + "log-scaled): uniform-convergence accounts predict a shrinking bound where the test error falls.",
            X = points.Select(p => (double)p.N).ToList(),
            LogX = true,
            LogY = true,
            Curves =
            [
                new("Bartlett et al. 2017", Colors.Crimson, points.Select(p => p.Bartlett).ToList()),
                new("Neyshabur et al. 2018", Colors.DarkOrange, points.Select(p => p.Neyshabur).ToList()),
                new("‖W − W₀‖_F", Colors.Navy, points.Select(p => p.Distance).ToList()),
            ],
        };

    private static CurveFigure ErrorFigure(List<Point> points) =>
        new()
        {
            Name = "errors_and_risk",
            Title = "Test error, error on the reflected set, and the theory's risk estimate against n",
            XLabel = "training-set size n",
            YLabel = "error (share) or cross-entropy",
            Caption =
                "Measured: the test error, the error on the reflected training set S′ and the held-out "
                + "cross-entropy; the theory's validation-free estimate R̂ of that cross-entropy (dashed), from the "
                + "training run alone. x log-scaled.",
            X = points.Select(p => (double)p.N).ToList(),
            LogX = true,
            Curves =
            [
                new("test error", Colors.SeaGreen, points.Select(p => p.TestError).ToList()),
                new("error on S′", Colors.Crimson, points.Select(p => p.ReflectedError).ToList()),
                new("test cross-entropy", Colors.Navy, points.Select(p => p.TestLoss).ToList()),
                new("R̂ (theory)", Colors.DarkOrange, points.Select(p => p.RiskEstimate).ToList(), Dashed: true),
            ],
        };
}
