using ScottPlot;
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
/// Lazy versus rich training (Chizat, Oyallon &amp; Bach 2019): the centered model α(f(w, x) − f(w₀, x)) with
/// loss ½‖·‖²/α² — the model αf on targets shifted by αf(w₀, x), at step η/α² — swept over α, on a
/// teacher–student task on the sphere and on binary Fashion-MNIST. Test error, kernel drift, path-coupling and
/// frozen-kernel prediction errors against α: the quantitative version of "the NTK picture ignores feature
/// learning". One arm per (task, α).
/// </summary>
public sealed class LazyRichStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "lazy-vs-rich";

    /// <inheritdoc/>
    public string Description =>
        "Lazy versus rich: the output scale α of Chizat, Oyallon & Bach swept over decades on a teacher–student "
        + "task (a few ReLU neurons on the sphere, a 50-neuron student) and on a binary Fashion-MNIST task. Large α: "
        + "the kernel freezes and the linearized network is exact; small α: the kernel moves (feature learning). "
        + "Which of the theory's tools survive the move: the frozen-kernel prediction, or the realized-path "
        + "operators?";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new LazyRichConfig
            {
                TrainSamples = 300,
                TestSamples = 500,
                Alphas = [0.1, 1, 10, 100],
                Steps = 2000,
                Snapshots = 25,
            },
            "full" => new LazyRichConfig(),
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    private sealed record Point(double Task, double Alpha, RunResult Run, double TestError)
    {
        public double Drift => Run.Paths.KernelDriftFrobenius;
        public double PathError => Run.Paths.PathCouplingRelativeError;
        public double FrozenError => Run.Paths.Frozen!.TestOutputRelativeError;
    }

    private static readonly ResultTable<Point> Table = new(
        [
            new("task", p => p.Task),
            new("alpha", p => p.Alpha, "α", Formatter: ResultColumn<Point>.Plain),
            new("test_mse", p => p.Run.Final.TestMetric, "test MSE", "test_mse"),
            new("test_error", p => p.TestError, "test error (sign)", "test_error"),
            new("kernel_drift", p => p.Drift, "kernel drift", "kernel_drift"),
            new("kernel_velocity", p => p.Run.Paths.KernelVelocity.Average(), "kernel velocity"),
            new("alignment_end", p => p.Run.Paths.AlignmentEnd, "alignment (end)"),
            new("path_coupling_rel_error", p => p.PathError, "path-coupling error", "path_error"),
            new("frozen_kernel_rel_error", p => p.FrozenError, "frozen-kernel error", "frozen_error"),
        ],
        p => $"alpha_{p.Alpha}"
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
        var c = (LazyRichConfig)configObject;
        using var tasks = new LazyRichTasks(c);
        var plan = tasks.Sweeps.SelectMany(s => c.Alphas.Select(a => (Sweep: s, Alpha: a, Arm: Arm(c, s, a)))).ToList();
        var results = Runner.RunArms(run, plan.Select(p => p.Arm).ToList(), progress, cancel);
        var points = plan.Zip(results, (p, r) => new Point(p.Sweep.Index, p.Alpha, r, p.Sweep.TestError(p.Arm, r)))
            .ToList();
        Table.WriteCsv(run, RunDirectory.MetricsFile, points);
        var outcome = new StudyOutcome([], []);
        foreach (var s in tasks.Sweeps)
        {
            var rows = points.Where(p => p.Task == s.Index).OrderBy(p => p.Alpha).ToList();
            var figure = Figure(rows, s).Render();
            var mse = MseFigure(rows, s).Render();
            run.WriteFigure(figure.Name, figure.Svg, figure.Png);
            run.WriteFigure(mse.Name, mse.Svg, mse.Png);
            Table.Html(report.Heading($"{s.Label}: against α").Figure(figure).Figure(mse), rows);
            outcome = new StudyOutcome(
                [.. outcome.Verdicts, .. Verdicts(c, rows, s)],
                [.. outcome.Summary, .. Table.Summary(rows, s.Prefix.Replace('-', '_'))]
            );
        }
        report.Paragraph("Each α's run (metrics, kernel snapshots, path analysis) is in its sub-directory alpha-*/.");
        return outcome;
    }

    /// <summary>The arm of one (task, α): the centered model trained by GD at the α-independent function-space step
    /// η = fraction · n/λ_max(K_f(w₀)), recorded and analyzed.</summary>
    private static Arm Arm(LazyRichConfig c, LazyRichTasks.Sweep s, double alpha)
    {
        var model = s.Student(alpha);
        Func<nn.Module<Tensor, Tensor>> build = () => ModelFactory.Create(model, Seeds.Generator(c.Seed + 1));
        double lambdaMax;
        using (var net = build())
        using (var k0 = Ntk.Compute(net, s.Xs))
            lambdaMax = linalg.eigvalsh(k0.Kss).max().item<double>() / (alpha * alpha);
        var train = c.Train(s.Task(alpha), model, c.StepFraction * s.Xs.shape[0] / lambdaMax / (alpha * alpha));
        string name = $"{s.Prefix}alpha-{alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return new Arm(
            name,
            new RunSpec
            {
                Config = train,
                Model = build,
                Task = s.Centered,
                Analysis = new(),
            }
        );
    }

    private static IEnumerable<Verdict> Verdicts(LazyRichConfig c, List<Point> rows, LazyRichTasks.Sweep s)
    {
        Point lazy = rows[^1],
            rich = rows[0],
            worst = rows.MaxBy(p => p.PathError)!;
        string at(Point p) => $"at α = {p.Alpha}";
        yield return c.LazyDriftCriterion()
            .Verdict(
                $"large_alpha_is_lazy{s.Suffix}",
                $"{s.Label}: At large α the kernel stays at its initial value (lazy training)",
                $"kernel drift {lazy.Drift:G3} {at(lazy)}",
                lazy.Drift
            );
        yield return c.RichDriftCriterion()
            .Verdict(
                $"small_alpha_learns_features{s.Suffix}",
                $"{s.Label}: At small α the kernel moves (feature learning)",
                $"kernel drift {rich.Drift:G3} {at(rich)}",
                rich.Drift
            );
        yield return c.FrozenLazyCriterion()
            .Verdict(
                $"frozen_kernel_exact_when_lazy{s.Suffix}",
                $"{s.Label}: The linearized (frozen-kernel) network predicts the lazy run (THEORY §7)",
                $"test-output error {lazy.FrozenError:G3} {at(lazy)}",
                lazy.FrozenError
            );
        yield return c.FrozenRichCriterion()
            .Verdict(
                $"frozen_kernel_fails_when_rich{s.Suffix}",
                $"{s.Label}: … and misses the rich run: the NTK picture ignores feature learning",
                $"test-output error {rich.FrozenError:G3} {at(rich)}",
                rich.FrozenError
            );
        yield return c.PathErrorCriterion()
            .Verdict(
                $"path_coupling_survives_feature_learning{s.Suffix}",
                $"{s.Label}: The realized-path prediction ΔU_Q = G_Q D⁺ ΔU_S holds at every α (THEORY §2)",
                $"largest relative error {worst.PathError:G3} (α = {worst.Alpha})",
                worst.PathError
            );
    }

    private static CurveFigure Figure(List<Point> rows, LazyRichTasks.Sweep s) =>
        new()
        {
            Name = $"lazy_rich{s.Suffix}",
            Title = $"Lazy versus rich ({s.Label}{s.Detail}): kernel drift and prediction errors against α",
            XLabel = "output scale α",
            YLabel = "relative norm ‖·‖/‖·‖ (dimensionless)",
            Caption =
                $"{s.Label}: the kernel drift ‖K_T − K_0‖/‖K_0‖ and the relative errors of the frozen-kernel "
                + "and "
                + "path-coupling predictions of the test outputs against the output scale α (both axes "
                + "log-scaled). The test MSE is in the next figure.",
            X = rows.Select(p => p.Alpha).ToList(),
            LogX = true,
            LogY = true,
            Curves =
            [
                new("kernel drift ‖K_T − K_0‖/‖K_0‖", Colors.Navy, rows.Select(p => p.Drift).ToList()),
                new("frozen-kernel prediction error", Colors.Crimson, rows.Select(p => p.FrozenError).ToList()),
                new("path-coupling error", Colors.SeaGreen, rows.Select(p => p.PathError).ToList()),
            ],
        };

    private static CurveFigure MseFigure(List<Point> rows, LazyRichTasks.Sweep s) =>
        new()
        {
            Name = $"lazy_rich_test_mse{s.Suffix}",
            Title = $"Lazy versus rich ({s.Label}{s.Detail}): test error against α",
            XLabel = "output scale α",
            YLabel = "test MSE",
            Caption = $"{s.Label}: the test mean squared error at the end of training against the output scale α.",
            X = rows.Select(p => p.Alpha).ToList(),
            LogX = true,
            LogY = true,
            Curves = [new("test MSE", Colors.Orange, rows.Select(p => p.Run.Final.TestMetric).ToList())],
        };
}
