using ScottPlot;
using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// Lazy versus rich training (issue 8, study 2): the centered model α(f(w, x) − f(w₀, x)) with loss
/// ½‖·‖²/α² (equivalently: the model αf on targets shifted by αf(w₀, x), with step η/α²), swept over α
/// on a teacher–student task on the sphere. Test error, kernel drift and velocity, kernel–target alignment,
/// path-coupling accuracy and the frozen-kernel prediction error against α: the quantitative version of "the NTK
/// picture ignores feature learning".
/// </summary>
public sealed class LazyRichStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "lazy-vs-rich";

    /// <inheritdoc/>
    public string Description =>
        "Lazy versus rich: the output scale α of Chizat, Oyallon & Bach swept over decades on a teacher–student "
        + "task (a few ReLU neurons on the sphere, "
        + "a 50-neuron student) and on a binary Fashion-MNIST task. Large α: the kernel freezes and the linearized "
        + "network is exact; small α: the kernel moves (feature learning). "
        + "Which of the theory's tools survive the move — the frozen-kernel prediction, or the realized-path "
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

    private sealed record Point(
        double Alpha,
        double TestMse,
        double Drift,
        double Velocity,
        double AlignmentEnd,
        double PathError,
        double FrozenError,
        double TestError
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
        ConfigException.Require(
            c.Alphas.Count >= 2 && c.Alphas.All(a => a > 0),
            "alphas",
            "need at least two positive scales",
            "use e.g. [0.1, 1, 10, 100]"
        );
        var g = Seeds.Generator(c.Seed);
        Tensor Sphere(int n)
        {
            var z = randn(new long[] { n, c.Dimension }, dtype: ScalarType.Float64, generator: g);
            return (z / z.norm(1, keepdim: true) * Math.Sqrt(c.Dimension)).DetachFromDisposeScope();
        }
        using var xs = Sphere(c.TrainSamples);
        using var xq = Sphere(c.TestSamples);
        using var teacher = randn(new long[] { c.Dimension, c.TeacherNeurons }, dtype: ScalarType.Float64, generator: g)
            .DetachFromDisposeScope();
        Tensor Teach(Tensor x) => (x.matmul(teacher) / Math.Sqrt(c.Dimension)).clamp_min(0).sum(1, keepdim: true);
        using var ys = Teach(xs).DetachFromDisposeScope();
        using var yq = Teach(xq).DetachFromDisposeScope();
        int sweeps = c.FashionMnist ? 2 : 1;
        var points = Sweep(c, "", xs, ys, xq, yq, run, progress, 0, sweeps, cancel);
        var verdicts = Verdicts(c, points, "", "teacher–student");
        var results = Results(points, "");
        var figures = new List<RenderedFigure> { Plot(points, "lazy_rich", "teacher–student") };
        List<Point>? fashion = null;
        if (c.FashionMnist)
        {
            var task = new TaskConfig
            {
                Kind = "fashion-mnist",
                Data = c.Data,
                Classes = c.FashionClasses,
                TrainSamples = c.TrainSamples,
                TestSamples = c.TestSamples,
                Pool = c.FashionPool,
            };
            using var data = task.Create(c.Seed);
            fashion = Sweep(
                c,
                "fashion-mnist-",
                data.TrainX,
                data.TrainY,
                data.TestX,
                data.TestY,
                run,
                progress,
                1,
                sweeps,
                cancel
            );
            verdicts.AddRange(Verdicts(c, fashion, "_fashion_mnist", "Fashion-MNIST"));
            results.AddRange(Results(fashion, "fashion_mnist_"));
            figures.Add(
                Plot(
                    fashion,
                    "lazy_rich_fashion_mnist",
                    $"Fashion-MNIST ({Tangent.Data.FashionMnist.Classes[c.FashionClasses[0]]} vs "
                        + $"{Tangent.Data.FashionMnist.Classes[c.FashionClasses[1]]})"
                )
            );
        }
        foreach (var f in figures)
            run.WriteFigure(f.Name, f.Svg, f.Png);
        run.WriteMetrics(
            [
                "task",
                "alpha",
                "test_mse",
                "kernel_drift",
                "kernel_velocity",
                "alignment_end",
                "path_coupling_rel_error",
                "frozen_kernel_rel_error",
                "test_error",
            ],
            points
                .Select(p => (0.0, p))
                .Concat((fashion ?? []).Select(p => (1.0, p)))
                .Select(t =>
                    (IReadOnlyList<double?>)
                        [
                            t.Item1,
                            t.p.Alpha,
                            t.p.TestMse,
                            t.p.Drift,
                            t.p.Velocity,
                            t.p.AlignmentEnd,
                            t.p.PathError,
                            t.p.FrozenError,
                            t.p.TestError,
                        ]
                )
        );
        foreach (
            var (rows, title, figure) in new[] { (points, "Teacher–student", figures[0]) }.Concat(
                fashion is null ? [] : new[] { (fashion, "Fashion-MNIST", figures[1]) }
            )
        )
            report
                .Heading($"{title}: against α")
                .Figure(figure)
                .Table(
                    [
                        "α",
                        "test MSE",
                        "test error (sign)",
                        "kernel drift",
                        "kernel velocity",
                        "alignment (end)",
                        "path-coupling error",
                        "frozen-kernel error",
                    ],
                    rows.Select(p =>
                        (IReadOnlyList<string>)
                            [
                                $"{p.Alpha}",
                                HtmlReport.Number(p.TestMse),
                                HtmlReport.Number(p.TestError),
                                HtmlReport.Number(p.Drift),
                                HtmlReport.Number(p.Velocity),
                                HtmlReport.Number(p.AlignmentEnd),
                                HtmlReport.Number(p.PathError),
                                HtmlReport.Number(p.FrozenError),
                            ]
                    )
                );
        report.Paragraph(
            "Each α's run (metrics, kernel snapshots, path-operator analysis) is in its sub-directory alpha-*/ "
                + "(fashion-mnist-alpha-*/ for Fashion-MNIST)."
        );
        return new StudyOutcome(verdicts, results);
    }

    /// <summary>The α sweep on one task: the centered model trained by GD at the α-independent function-space step,
    /// recorded and analyzed.</summary>
    private static List<Point> Sweep(
        LazyRichConfig c,
        string tag,
        Tensor xs,
        Tensor ys,
        Tensor xq,
        Tensor yq,
        RunDirectory run,
        IProgress<ProgressReport>? progress,
        int sweep,
        int sweeps,
        CancellationToken cancel
    )
    {
        int d = (int)xs.shape[1],
            n = (int)xs.shape[0],
            m = (int)xq.shape[0];
        var points = new List<Point>();
        foreach (double alpha in c.Alphas)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(
                new ProgressReport(
                    tag == "" ? "teacher" : "fashion-mnist",
                    (sweep + (double)points.Count / c.Alphas.Count) / sweeps,
                    $"α = {alpha}"
                )
            );
            var model = new Mlp(
                new MlpConfig
                {
                    Widths = [d, c.StudentWidth, 1],
                    Parameterization = Parameterization.Standard,
                    WeightStd = Math.Sqrt(2),
                    BiasStd = 0,
                    Bias = false,
                    OutputScale = alpha,
                },
                Seeds.Generator(c.Seed + 1)
            );
            Tensor f0s,
                f0q;
            using (no_grad())
            {
                f0s = model.call(xs);
                f0q = model.call(xq);
            }
            double lambdaMax;
            using (var k0 = Tangent.Kernels.Ntk.Compute(model, xs))
                lambdaMax = linalg.eigvalsh(k0.Kss).max().item<double>() / (alpha * alpha);
            double lr = c.StepFraction * n / lambdaMax;
            // Centering: training αf on Y + αf(w₀) is training α(f − f₀) on Y. No generator makes these
            // shifted targets, so the task is recorded as provided, with its arrays, and the run is wired here rather
            // than by TrainRun.
            using var task = new TaskData(xs.clone(), ys + f0s, ys + f0s, xq.clone(), yq + f0q);
            var train = new TrainConfig
            {
                Task = new TaskConfig
                {
                    Kind = "provided",
                    Description =
                        tag == ""
                            ? $"teacher–student on the sphere (d = {d}), targets shifted by αf(w₀, x), α = "
                                + $"{alpha}"
                            : $"binary Fashion-MNIST, ±1 targets shifted by αf(w₀, x), α = {alpha}",
                    TrainSamples = n,
                    TestSamples = m,
                    Dimension = d,
                    Outputs = 1,
                },
                Model = model.Config,
                Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = lr / (alpha * alpha) },
                Steps = c.Steps,
                LogEvery = Math.Max(1, c.Steps / 50),
                Seed = c.Seed,
                RiskEstimate = false,
            };
            string name = $"{tag}alpha-{alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            var sub = RunDirectory.Create(Path.Combine(run.Path, name), "train", train, c.Seed, overwrite: true);
            sub.WriteArray("Y_S", task.TrainY);
            sub.WriteArray("Y_S_clean", task.TrainClean);
            sub.WriteArray("Y_Q", task.TestY);
            sub.WriteArray("train_x", task.TrainX);
            sub.WriteArray("test_x", task.TestX);
            var recorder = new KernelRecorder(new RecordConfig { Schedule = "log", Count = c.Snapshots }, sub, train);
            var metrics = Trainer.Run(train, task, model, [recorder], cancel: cancel);
            MetricsTable.Write(sub, metrics);
            sub.Complete();
            var (result, _) = AnalyzeRun.Run(sub.Path, new AnalyzeOptions(), cancel: cancel);
            double testError;
            using (no_grad())
            using (var centered = model.call(xq) - f0q)
                testError = centered.sign().ne(yq.sign()).to_type(ScalarType.Float64).mean().item<double>();
            points.Add(
                new Point(
                    alpha,
                    metrics[^1].TestMetric,
                    result.KernelDriftFrobenius,
                    result.KernelVelocity.Average(),
                    result.AlignmentEnd,
                    result.PathCouplingRelativeError,
                    result.Frozen!.TestOutputRelativeError,
                    testError
                )
            );
            f0s.Dispose();
            f0q.Dispose();
        }
        return points;
    }

    private static List<Verdict> Verdicts(LazyRichConfig c, List<Point> points, string suffix, string label)
    {
        var lazy = points.MaxBy(p => p.Alpha)!;
        var rich = points.MinBy(p => p.Alpha)!;
        var worstPath = points.MaxBy(p => p.PathError)!;
        return
        [
            new Criterion("kernel drift at the largest α", Comparison.Below, c.LazyDrift, "lazy_drift").Verdict(
                "large_alpha_is_lazy" + suffix,
                $"{label}: At large α the kernel stays at its initial value (lazy training)",
                $"kernel drift {lazy.Drift:G3} at α = {lazy.Alpha}",
                lazy.Drift
            ),
            new Criterion("kernel drift at the smallest α", Comparison.Above, c.RichDrift, "rich_drift").Verdict(
                "small_alpha_learns_features" + suffix,
                $"{label}: At small α the kernel moves (feature learning)",
                $"kernel drift {rich.Drift:G3} at α = {rich.Alpha}",
                rich.Drift
            ),
            new Criterion(
                "frozen-kernel test-output error at the largest α",
                Comparison.Below,
                c.FrozenErrorLazy,
                "frozen_error_lazy"
            ).Verdict(
                "frozen_kernel_exact_when_lazy" + suffix,
                $"{label}: The linearized (frozen-kernel) network predicts the lazy run (THEORY §7)",
                $"test-output error {lazy.FrozenError:G3} at α = {lazy.Alpha}",
                lazy.FrozenError
            ),
            new Criterion(
                "frozen-kernel test-output error at the smallest α",
                Comparison.Above,
                c.FrozenErrorRich,
                "frozen_error_rich"
            ).Verdict(
                "frozen_kernel_fails_when_rich" + suffix,
                $"{label}: … and misses the rich run: the NTK picture ignores feature learning",
                $"test-output error {rich.FrozenError:G3} at α = {rich.Alpha}",
                rich.FrozenError
            ),
            new Criterion("largest path-coupling error over α", Comparison.Below, c.PathError, "path_error").Verdict(
                "path_coupling_survives_feature_learning" + suffix,
                $"{label}: The realized-path prediction ΔU_Q = G_Q D⁺ ΔU_S holds at every α (THEORY §2)",
                $"largest relative error {worstPath.PathError:G3} (α = {worstPath.Alpha})",
                worstPath.PathError
            ),
        ];
    }

    private static List<KeyValuePair<string, object?>> Results(List<Point> points, string prefix) =>
        points
            .SelectMany(p =>
                new KeyValuePair<string, object?>[]
                {
                    new($"{prefix}alpha_{p.Alpha}_test_mse", p.TestMse),
                    new($"{prefix}alpha_{p.Alpha}_kernel_drift", p.Drift),
                    new($"{prefix}alpha_{p.Alpha}_frozen_error", p.FrozenError),
                    new($"{prefix}alpha_{p.Alpha}_path_error", p.PathError),
                    new($"{prefix}alpha_{p.Alpha}_test_error", p.TestError),
                }
            )
            .ToList();

    private static RenderedFigure Plot(List<Point> points, string name, string label)
    {
        var x = points.Select(p => Math.Log10(p.Alpha)).ToArray();
        double L(double v) => Math.Log10(Math.Max(v, 1e-6));
        var plot = Figure.NewPlot($"Lazy versus rich ({label}): what changes with α", "α", "value");
        var a = plot.Add.Scatter(x, points.Select(p => L(p.Drift)).ToArray());
        a.Color = Colors.Navy;
        a.LineWidth = 2.5f;
        a.LegendText = "kernel drift ‖K_T − K_0‖/‖K_0‖";
        var b = plot.Add.Scatter(x, points.Select(p => L(p.FrozenError)).ToArray());
        b.Color = Colors.Crimson;
        b.LineWidth = 2.5f;
        b.LegendText = "frozen-kernel prediction error";
        var d = plot.Add.Scatter(x, points.Select(p => L(p.PathError)).ToArray());
        d.Color = Colors.SeaGreen;
        d.LineWidth = 2.5f;
        d.LegendText = "path-coupling error";
        var e = plot.Add.Scatter(x, points.Select(p => L(p.TestMse)).ToArray());
        e.Color = Colors.Orange;
        e.LineWidth = 2.5f;
        e.LegendText = "test MSE";
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.LowerLeft);
        return Figure.Render(
            plot,
            name,
            $"{label}: kernel drift, the frozen-kernel and path-coupling prediction errors, and the test MSE "
                + "against the output scale α (both axes log-scaled)."
        );
    }
}
