using System.Globalization;
using ScottPlot;
using Tangent.Kernels;
using Tangent.PacBayes;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// A non-vacuous PAC-Bayes bound for a stochastic network (Dziugaite &amp; Roy 2017): an MLP trained by SGD on binary
/// Fashion-MNIST, a Gaussian posterior N(μ, diag s²) around its weights optimized under the bound against a prior
/// centred at the initialization, and the bound computed with a union bound over the prior variance and a Monte Carlo
/// estimate of the posterior's training error. Beside it, on the same networks, the theory's own account of the gap:
/// the validation-free risk estimate R̂ and the mean self-influence (THEORY §5). One arm per n.
/// </summary>
public sealed class PacBayesStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "pac-bayes";

    /// <inheritdoc/>
    public string Description =>
        "PAC-Bayes (Dziugaite & Roy 2017): an MLP trained by SGD on binary Fashion-MNIST (label < 5 against ≥ 5), a "
        + "Gaussian posterior around its weights optimized under the bound. Is the bound on the stochastic "
        + "network's error non-vacuous, how tight is it, and do the theory's risk estimate and self-influence "
        + "account for the same networks' generalization gap?";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new PacBayesConfig
            {
                Samples = [500, 1000, 2000],
                TestSamples = 1000,
                Pool = 4,
                Hidden = [100],
                MaxSteps = 1500,
                CheckEvery = 25,
                Bound = new PacBayesSettings { Steps = 2000, Samples = 200 },
            },
            "full" => new PacBayesConfig(),
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    /// <summary>One n's measurements.</summary>
    internal sealed record Point(
        int N,
        int Steps,
        double TrainError,
        double TestError,
        double TrainLoss,
        double TestLoss,
        double RiskEstimate,
        double RiskEstimateAlpha,
        double SelfInfluence,
        double PosteriorTrainError,
        double PosteriorTestError,
        double MeanNetTestError,
        double Kl,
        double PriorVariance,
        double MeanStd,
        double Distance,
        double Bound
    )
    {
        public double Gap => TestLoss - TrainLoss;

        public double RiskGap => Math.Abs(RiskEstimate - TestLoss) / TestLoss;

        /// <summary>max(SI/gap, gap/SI); NaN unless both are positive.</summary>
        public double GapFactor =>
            SelfInfluence > 0 && Gap > 0 ? Math.Max(SelfInfluence / Gap, Gap / SelfInfluence) : double.NaN;

        public double Tightness => PosteriorTestError > 0 ? Bound / PosteriorTestError : double.NaN;
    }

    private static readonly ResultTable<Point> Table = new(
        [
            new("n", p => p.N, "n", Formatter: ResultColumn<Point>.Plain),
            new("steps", p => p.Steps, "SGD steps", "steps", ResultColumn<Point>.Plain),
            new("train_error", p => p.TrainError, "train error (SGD net)", "train_error"),
            new("test_error", p => p.TestError, "test error (SGD net)", "test_error"),
            new("posterior_train_error", p => p.PosteriorTrainError, "train error of Q", "posterior_train_error"),
            new("posterior_test_error", p => p.PosteriorTestError, "test error of Q", "posterior_test_error"),
            new("mean_net_test_error", p => p.MeanNetTestError, "test error at μ", "mean_net_test_error"),
            new("pac_bayes_bound", p => p.Bound, "PAC-Bayes bound", "pac_bayes_bound"),
            new("kl", p => p.Kl, "KL(Q‖P)", "kl"),
            new("prior_variance", p => p.PriorVariance, "λ_j", "prior_variance"),
            new("mean_std", p => p.MeanStd, "mean s", "mean_std"),
            new("distance", p => p.Distance, "‖μ − w₀‖", "distance"),
            new("train_loss", p => p.TrainLoss, "train loss", "train_loss"),
            new("test_loss", p => p.TestLoss, "test loss", "test_loss"),
            new("risk_estimate", p => p.RiskEstimate, "R̂ (validation-free)", "risk_estimate"),
            new("risk_estimate_alpha", p => p.RiskEstimateAlpha, "R̂, α = b/(n − b)", "risk_estimate_alpha"),
            new("self_influence", p => p.SelfInfluence, "mean self-influence", "self_influence"),
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
        var c = ((PacBayesConfig)configObject).Validate();
        var sizes = c.Samples.Order().ToList();
        var points = new List<Point>();
        var traces = new List<(int N, List<PosteriorStep> Trace)>();
        foreach (int n in sizes)
        {
            progress?.Report(new ProgressReport("sizes", (double)points.Count / sizes.Count, $"n = {n}: SGD"));
            var influence = new double[n];
            var arm = Arm(c, n, influence);
            var result = Runner.RunArm(run, arm, cancel);
            progress?.Report(new ProgressReport("sizes", (points.Count + 0.5) / sizes.Count, $"n = {n}: bound"));
            var (point, trace) = Measure(c, n, arm, result, influence, cancel);
            points.Add(point);
            traces.Add((n, trace));
        }
        progress?.Report(new ProgressReport("sizes", 1, $"{sizes.Count} sizes"));
        Table.WriteCsv(run, RunDirectory.MetricsFile, points);
        WriteTraces(run, traces);
        string Show(double x) => x.ToString("G3", CultureInfo.InvariantCulture);
        var b = c.Bound;
        report.Paragraph(
            $"Binary Fashion-MNIST (labels {string.Join(" ", c.Groups[0])} → +1, {string.Join(" ", c.Groups[1])} → "
                + $"−1), a {Inputs(c)}–{string.Join("–", c.Hidden)}–1 ReLU network (He initialization "
                + $"w₀, zero "
                + $"biases) trained by SGD (η = {Show(c.Lr)}, batch {c.BatchSize}) on ½-MSE until the training error "
                + $"is 0 (at most {c.MaxSteps} steps). Then Q = N(μ, diag s²) starts at μ = w, s = "
                + $"{Show(b.InitialStdScale)}|w|, and μ, s and the prior variance λ of P = N(w₀, λI) minimize "
                + "ê_sur(Q) + √(C/2) for "
                + $"{b.Steps} Adam steps (lr {Show(b.Lr)}, batch {b.BatchSize}, one draw per step). The bound is "
                + $"kl⁻¹(kl⁻¹(ê_m, ln(2/δ′)/m), (KL + ln(π²j²/(6δ)) + ln(2√n))/n) with m = {b.Samples} "
                + $"draws, δ = "
                + $"{Show(b.Delta)}, δ′ = {Show(b.DeltaPrime)}, λ rounded to the grid "
                + $"{Show(b.PriorScale)}·e^(−j/"
                + $"{Show(b.PriorPrecision)}): it holds with probability ≥ {Show(1 - b.Delta - b.DeltaPrime)}. "
                + "Beside it, on the same SGD runs: R̂, the validation-free estimate of the test loss, and the mean "
                + "self-influence (1/n)Σ_i Σ_t (η/n)‖∇ℓ_i‖², the first-order share of each example's fit "
                + "that came "
                + "from its own gradient — the theory's estimate of the gap L_test − L_train."
        );
        var outcome = new StudyOutcome(Verdicts(c, points).ToList(), [.. Table.Summary(points)]);
        foreach (var figure in new[] { BoundFigure(points), GapFigure(points) })
        {
            var rendered = figure.Render();
            run.WriteFigure(rendered.Name, rendered.Svg, rendered.Png);
            report.Figure(rendered);
        }
        Table.Html(report.Heading("Across n"), points);
        report.Paragraph(
            "Each n's SGD run is in its sub-directory n-*/; posterior_trace.csv has the bound's optimization."
        );
        return outcome;
    }

    private static int Inputs(PacBayesConfig c) => Data.FashionMnist.Pixels / (c.Pool * c.Pool);

    /// <summary>The SGD arm of one n, stopping at zero training error, adding each example's self-influence
    /// (η·k/n)‖∇ℓ_i‖² at every k-th step (ℓ_i = ½(u_i − y_i)², the probe sees the step's gradient
    /// point).</summary>
    private static Arm Arm(PacBayesConfig c, int n, double[] influence)
    {
        int checks = 0;
        var probe = new StepObserver(state =>
        {
            if (state.Step % c.CheckEvery != 0 || state.Final)
                return;
            using var scope = NewDisposeScope();
            var y = state.Task.TrainY;
            var s = GradientStatistics.PreconditionedSquaredNorms(
                state.Model,
                state.Task.TrainX,
                u => 0.5 * (u - y).square().sum(1),
                new NtkOptions { BlockElements = 1L << 24 }
            );
            double w = state.LearningRate * c.CheckEvery / n;
            var values = s.data<double>().ToArray();
            for (int i = 0; i < n; i++)
                influence[i] += w * values[i];
        });
        return new Arm(
            $"n-{n}",
            new RunSpec
            {
                Config = c.Train(n),
                Probes = [probe],
                StopWhen = state =>
                {
                    if (checks++ % c.CheckEvery != 0)
                        return false;
                    using var _ = no_grad();
                    using var scope = NewDisposeScope();
                    return GaussianPosterior.ErrorShare(state.Model.call(state.Task.TrainX), state.Task.TrainY) == 0;
                },
            }
        );
    }

    private static (Point, List<PosteriorStep>) Measure(
        PacBayesConfig c,
        int n,
        Arm arm,
        RunResult r,
        double[] influence,
        CancellationToken cancel
    )
    {
        using var scope = NewDisposeScope();
        using var task = c.Train(n).Task.Create(c.Seed);
        using var initial = arm.Spec.BuildModel();
        var model = r.Model;
        double trainError,
            testError;
        using (no_grad())
        {
            trainError = GaussianPosterior.ErrorShare(model.call(task.TrainX), task.TrainY);
            testError = GaussianPosterior.ErrorShare(model.call(task.TestX), task.TestY);
        }
        using var posterior = new GaussianPosterior(model, initial, c.Bound);
        using var g = Seeds.Generator(c.Seed + 3);
        var trace = posterior.Optimize(model, task.TrainX, task.TrainY, c.Bound, g, 50, cancel);
        var errors = posterior.Errors(
            model,
            [(task.TrainX, task.TrainY), (task.TestX, task.TestY)],
            c.Bound.Samples,
            g,
            cancel
        );
        double meanTest;
        using (no_grad())
            meanTest = GaussianPosterior.ErrorShare(model.call(task.TestX), task.TestY);
        var certificate = PacBayesBound.Certify(
            posterior.PriorVariance,
            posterior.KlAt,
            errors[0].Average(),
            c.Bound.Samples,
            n,
            c.Bound
        );
        var withRisk = r.Metrics.LastOrDefault(m => m.RiskEstimate is not null);
        var point = new Point(
            n,
            r.Final.Step,
            trainError,
            testError,
            r.Final.TrainLoss,
            r.Final.TestLoss,
            withRisk?.RiskEstimate ?? double.NaN,
            withRisk?.RiskEstimateAlpha ?? double.NaN,
            influence.Average(),
            errors[0].Average(),
            errors[1].Average(),
            meanTest,
            certificate.Kl,
            certificate.PriorVariance,
            posterior.MeanStd,
            posterior.Distance,
            certificate.Bound
        );
        return (point, trace);
    }

    private static void WriteTraces(RunDirectory run, List<(int N, List<PosteriorStep> Trace)> traces) =>
        run.WriteTable(
            "posterior_trace.csv",
            ["n", "step", "surrogate", "kl", "prior_variance", "objective"],
            traces.SelectMany(t =>
                t.Trace.Select(s =>
                    (IReadOnlyList<double?>)[t.N, s.Index, s.Surrogate, s.Kl, s.PriorVariance, s.Objective]
                )
            )
        );

    internal static IEnumerable<Verdict> Verdicts(PacBayesConfig c, IReadOnlyList<Point> points)
    {
        var large = points[^1];
        string Series(Func<Point, double> f) => string.Join(", ", points.Select(p => $"{f(p):G3} (n {p.N})"));
        yield return c.VacuousCriterion()
            .Verdict(
                "bound_is_non_vacuous",
                "The PAC-Bayes bound on the stochastic network's error is non-vacuous (below ½) at the largest n "
                    + "(Dziugaite & Roy 2017)",
                $"bound {Series(p => p.Bound)}; test error of Q {Series(p => p.PosteriorTestError)}",
                large.Bound
            );
        yield return c.TightnessCriterion()
            .Verdict(
                "bound_is_tight",
                "… and within a small factor of the error it bounds",
                $"at n = {large.N}: bound {large.Bound:G3} against the test error of Q {large.PosteriorTestError:G3} "
                    + $"(SGD net {large.TestError:G3}): {large.Tightness:G3}×",
                large.Tightness
            );
        bool allRisk = points.All(p => double.IsFinite(p.RiskEstimate));
        double riskGap = points.Max(p => p.RiskGap);
        yield return c.RiskGapCriterion()
            .Verdict(
                "risk_estimate_matches_test_loss",
                "On the same networks, the validation-free risk estimate R̂ matches the test loss (THEORY §5)",
                $"R̂ {Series(p => p.RiskEstimate)}; test loss {Series(p => p.TestLoss)}",
                allRisk ? riskGap : double.NaN
            );
        double factor = points.Any(p => double.IsNaN(p.GapFactor)) ? double.NaN : points.Max(p => p.GapFactor);
        yield return c.GapCriterion()
            .Verdict(
                "self_influence_predicts_gap",
                "… and the mean self-influence predicts the generalization gap L_test − L_train (THEORY §5's "
                    + "subtracted term)",
                $"mean self-influence {Series(p => p.SelfInfluence)}; gap {Series(p => p.Gap)}",
                factor
            );
    }

    private static CurveFigure BoundFigure(List<Point> points) =>
        new()
        {
            Name = "bound",
            Title = "The PAC-Bayes bound against the errors it bounds, across n",
            XLabel = "training-set size n",
            YLabel = "0–1 error",
            Caption =
                "The bound on the stochastic network Q's error (Dziugaite & Roy 2017), Q's measured test and train "
                + "errors (Monte Carlo), the SGD network's test error, and ½ (a vacuous bound). x log-scaled.",
            X = points.Select(p => (double)p.N).ToList(),
            LogX = true,
            Curves =
            [
                new("PAC-Bayes bound", Colors.Crimson, points.Select(p => p.Bound).ToList()),
                new("test error of Q", Colors.DarkOrange, points.Select(p => p.PosteriorTestError).ToList()),
                new("train error of Q", Colors.Gray, points.Select(p => p.PosteriorTrainError).ToList()),
                new("test error, SGD net", Colors.Navy, points.Select(p => p.TestError).ToList()),
                new("½ (vacuous)", Colors.Black, points.Select(_ => 0.5).ToList(), Dashed: true),
            ],
        };

    private static CurveFigure GapFigure(List<Point> points) =>
        new()
        {
            Name = "gap",
            Title = "Generalization gap: the bound's and the theory's, on the same networks",
            XLabel = "training-set size n",
            YLabel = "gap",
            Caption =
                "The competing account: the bound minus Q's training error (0–1 error). The theory's, dashed: the "
                + "mean self-influence, against the measured ½-MSE gap L_test − L_train of the SGD network. Both "
                + "axes "
                + "log-scaled. R̂ − L_train, the risk estimate's own gap, is negative on these runs and is in the "
                + "table, not here.",
            X = points.Select(p => (double)p.N).ToList(),
            LogX = true,
            LogY = true,
            Curves =
            [
                new(
                    "PAC-Bayes: bound − train error of Q",
                    Colors.Crimson,
                    points.Select(p => p.Bound - p.PosteriorTrainError).ToList()
                ),
                new("measured L_test − L_train", Colors.Navy, points.Select(p => p.Gap).ToList()),
                new(
                    "theory: mean self-influence",
                    Colors.SeaGreen,
                    points.Select(p => p.SelfInfluence).ToList(),
                    Dashed: true
                ),
            ],
        };
}
