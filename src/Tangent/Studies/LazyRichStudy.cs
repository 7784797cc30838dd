using ScottPlot;
using Tangent.Data;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>Settings of the lazy-vs-rich study (Chizat, Oyallon &amp; Bach 2019); every number with its source.</summary>
public sealed record LazyRichConfig
{
    /// <summary>Input dimension (issue 8: 100).</summary>
    public int Dimension { get; init; } = 100;
    /// <summary>Teacher: a sum of this many ReLU neurons (issue 8: 3).</summary>
    public int TeacherNeurons { get; init; } = 3;
    /// <summary>Student hidden width (issue 8: 50).</summary>
    public int StudentWidth { get; init; } = 50;
    /// <summary>Training and test points on the sphere of radius √d (issue 8: 1,000 each).</summary>
    public int TrainSamples { get; init; } = 1000;
    /// <summary>Test points.</summary>
    public int TestSamples { get; init; } = 1000;
    /// <summary>Output scales α, swept over decades.</summary>
    public IReadOnlyList<double> Alphas { get; init; } = [0.1, 0.3, 1, 3, 10, 30, 100];
    /// <summary>
    /// Function-space step as a fraction of the stable one: η = fraction · n/λ_max(K_f at initialization); the parameter step is η/α², so every
    /// α moves f equally fast to first order.
    /// </summary>
    public double StepFraction { get; init; } = 0.5;
    /// <summary>Gradient-descent steps.</summary>
    public int Steps { get; init; } = 3000;
    /// <summary>Kernel snapshots per run.</summary>
    public int Snapshots { get; init; } = 30;
    /// <summary>Seed.</summary>
    public long Seed { get; init; }
}

/// <summary>
/// Lazy versus rich training (issue 8, study 2): the centered model α(f(w, x) − f(w₀, x)) with loss ½‖·‖²/α² (equivalently: the
/// model αf on targets shifted by αf(w₀, x), with step η/α²), swept over α on a teacher–student task on the sphere. Test error,
/// kernel drift and velocity, kernel–target alignment, path-coupling accuracy and the frozen-kernel prediction error against α:
/// the quantitative version of "the NTK picture ignores feature learning".
/// </summary>
public sealed class LazyRichStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "lazy-vs-rich";

    /// <inheritdoc/>
    public string Description =>
        "Lazy versus rich: the output scale α of Chizat, Oyallon & Bach swept over decades on a teacher–student task (a few ReLU neurons on the sphere, " +
        "a 50-neuron student). Large α: the kernel freezes and the linearized network is exact; small α: the kernel moves (feature learning). " +
        "Which of the theory's tools survive the move — the frozen-kernel prediction, or the realized-path operators?";

    /// <inheritdoc/>
    public object Preset(string preset) => preset switch
    {
        "quick" => new LazyRichConfig { TrainSamples = 300, TestSamples = 500, Alphas = [0.1, 1, 10, 100], Steps = 2000, Snapshots = 25 },
        "full" => new LazyRichConfig(),
        _ => throw Studies.UnknownPreset(preset),
    };

    private sealed record Point(double Alpha, double TestMse, double Drift, double Velocity, double AlignmentEnd, double PathError, double FrozenError);

    /// <inheritdoc/>
    public StudyOutcome Run(object configObject, RunDirectory run, HtmlReport report, IProgress<ProgressReport>? progress, CancellationToken cancel)
    {
        var c = (LazyRichConfig)configObject;
        ConfigException.Require(c.Alphas.Count >= 2 && c.Alphas.All(a => a > 0), "alphas", "need at least two positive scales", "use e.g. [0.1, 1, 10, 100]");
        var g = new Generator((ulong)c.Seed);
        Tensor Sphere(int n) { var z = randn(new long[] { n, c.Dimension }, dtype: ScalarType.Float64, generator: g); return (z / z.norm(1, keepdim: true) * Math.Sqrt(c.Dimension)).DetachFromDisposeScope(); }
        using var xs = Sphere(c.TrainSamples);
        using var xq = Sphere(c.TestSamples);
        using var teacher = randn(new long[] { c.Dimension, c.TeacherNeurons }, dtype: ScalarType.Float64, generator: g).DetachFromDisposeScope();
        Tensor Teach(Tensor x) => (x.matmul(teacher) / Math.Sqrt(c.Dimension)).clamp_min(0).sum(1, keepdim: true);
        using var ys = Teach(xs).DetachFromDisposeScope();
        using var yq = Teach(xq).DetachFromDisposeScope();

        var points = new List<Point>();
        foreach (double alpha in c.Alphas)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(new ProgressReport("alphas", (double)points.Count / c.Alphas.Count, $"α = {alpha}"));
            var model = new Mlp(new MlpConfig { Widths = [c.Dimension, c.StudentWidth, 1], Parameterization = Parameterization.Standard, WeightStd = Math.Sqrt(2), BiasStd = 0, Bias = false, OutputScale = alpha },
                                new Generator((ulong)(c.Seed + 1)));
            Tensor f0s, f0q;
            using (no_grad()) { f0s = model.call(xs); f0q = model.call(xq); }
            double lambdaMax;
            using (var k0 = Tangent.Kernels.Ntk.Compute(model, xs)) lambdaMax = linalg.eigvalsh(k0.Kss).max().item<double>() / (alpha * alpha);
            double lr = c.StepFraction * c.TrainSamples / lambdaMax;
            // Centering: training αf on Y + αf(w₀) is training α(f − f₀) on Y.
            using var task = new RegressionTask(xs.clone(), ys + f0s, ys + f0s, xq.clone(), yq + f0q);
            var train = new TrainConfig
            {
                Task = new TaskConfig { Kind = "teacher", TrainSamples = c.TrainSamples, TestSamples = c.TestSamples, Dimension = c.Dimension, Outputs = 1 },
                Model = model.Config,
                Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = lr / (alpha * alpha) },
                Steps = c.Steps,
                LogEvery = Math.Max(1, c.Steps / 50),
                Seed = c.Seed,
                RiskEstimate = false,
            };
            string name = $"alpha-{alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
            var sub = RunDirectory.Create(Path.Combine(run.Path, name), "train", train, c.Seed, overwrite: true);
            sub.WriteArray("Y_S", task.TrainY);
            sub.WriteArray("Y_S_clean", task.TrainClean);
            sub.WriteArray("Y_Q", task.TestY);
            var recorder = new KernelRecorder(new RecordConfig { Schedule = "log", Count = c.Snapshots }, sub, train);
            var metrics = Trainer.Run(train, task, model, [recorder], cancel: cancel);
            sub.WriteMetrics(["step", "train_mse", "test_mse"], metrics.Select(m => (IReadOnlyList<double?>)[m.Step, m.TrainMetric, m.TestMetric]));
            sub.Complete();
            var (result, _) = AnalyzeRun.Run(sub.Path, new AnalyzeOptions());
            points.Add(new Point(alpha, metrics[^1].TestMetric, result.KernelDriftFrobenius, result.KernelVelocity.Average(), result.AlignmentEnd,
                                 result.PathCouplingRelativeError, result.Frozen!.TestOutputRelativeError));
            f0s.Dispose();
            f0q.Dispose();
        }

        var lazy = points.MaxBy(p => p.Alpha)!;
        var rich = points.MinBy(p => p.Alpha)!;
        var verdicts = new List<Verdict>
        {
            new("large_alpha_is_lazy", "At large α the kernel stays at its initial value (lazy training)", $"kernel drift {lazy.Drift:G3} at α = {lazy.Alpha}", "below 5 %", lazy.Drift < 0.05),
            new("small_alpha_learns_features", "At small α the kernel moves (feature learning)", $"kernel drift {rich.Drift:G3} at α = {rich.Alpha}", "above 50 %", rich.Drift > 0.5),
            new("frozen_kernel_exact_when_lazy", "The linearized (frozen-kernel) network predicts the lazy run (THEORY §7)",
                $"test-output error {lazy.FrozenError:G3} at α = {lazy.Alpha}", "below 5 %", lazy.FrozenError < 0.05),
            new("frozen_kernel_fails_when_rich", "… and misses the rich run: the NTK picture ignores feature learning",
                $"test-output error {rich.FrozenError:G3} at α = {rich.Alpha}", "above 20 %", rich.FrozenError > 0.2),
            new("path_coupling_survives_feature_learning", "The realized-path prediction ΔU_Q = G_Q D⁺ ΔU_S holds at every α (THEORY §2)",
                $"largest relative error {points.Max(p => p.PathError):G3} (α = {points.MaxBy(p => p.PathError)!.Alpha})", "below 10 % at every α", points.All(p => p.PathError < 0.1)),
        };

        var x = points.Select(p => Math.Log10(p.Alpha)).ToArray();
        double L(double v) => Math.Log10(Math.Max(v, 1e-6));
        var plot = Figure.NewPlot("Lazy versus rich: what changes with the output scale α", "α", "value");
        var a = plot.Add.Scatter(x, points.Select(p => L(p.Drift)).ToArray()); a.Color = Colors.Navy; a.LineWidth = 2.5f; a.LegendText = "kernel drift ‖K_T − K_0‖/‖K_0‖";
        var b = plot.Add.Scatter(x, points.Select(p => L(p.FrozenError)).ToArray()); b.Color = Colors.Crimson; b.LineWidth = 2.5f; b.LegendText = "frozen-kernel prediction error";
        var d = plot.Add.Scatter(x, points.Select(p => L(p.PathError)).ToArray()); d.Color = Colors.SeaGreen; d.LineWidth = 2.5f; d.LegendText = "path-coupling error";
        var e = plot.Add.Scatter(x, points.Select(p => L(p.TestMse)).ToArray()); e.Color = Colors.Orange; e.LineWidth = 2.5f; e.LegendText = "test MSE";
        Figure.LogX(plot); Figure.LogY(plot); plot.ShowLegend(Alignment.LowerLeft);
        var fig = Figure.Render(plot, "lazy_rich", "Kernel drift, the frozen-kernel and path-coupling prediction errors, and the test MSE against the output scale α (both axes log-scaled).");
        run.WriteFigure(fig.Name, fig.Svg, fig.Png);
        run.WriteMetrics(["alpha", "test_mse", "kernel_drift", "kernel_velocity", "alignment_end", "path_coupling_rel_error", "frozen_kernel_rel_error"],
            points.Select(p => (IReadOnlyList<double?>)[p.Alpha, p.TestMse, p.Drift, p.Velocity, p.AlignmentEnd, p.PathError, p.FrozenError]));
        report.Heading("Against α").Figure(fig)
            .Table(["α", "test MSE", "kernel drift", "kernel velocity", "alignment (end)", "path-coupling error", "frozen-kernel error"],
                points.Select(p => (IReadOnlyList<string>)[$"{p.Alpha}", HtmlReport.Number(p.TestMse), HtmlReport.Number(p.Drift), HtmlReport.Number(p.Velocity), HtmlReport.Number(p.AlignmentEnd), HtmlReport.Number(p.PathError), HtmlReport.Number(p.FrozenError)]))
            .Paragraph("Each α's run (metrics, kernel snapshots, path-operator analysis) is in its sub-directory alpha-*/. Not in this study yet: the same sweep on Fashion-MNIST.");
        var results = points.SelectMany(p => new KeyValuePair<string, object?>[]
        {
            new($"alpha_{p.Alpha}_test_mse", p.TestMse), new($"alpha_{p.Alpha}_kernel_drift", p.Drift), new($"alpha_{p.Alpha}_frozen_error", p.FrozenError), new($"alpha_{p.Alpha}_path_error", p.PathError),
        }).ToList();
        return new StudyOutcome(verdicts, results);
    }
}
