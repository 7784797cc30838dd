using ScottPlot;
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
/// Implicit bias (issue 7, study 3): under-determined regression from the same task, lazy and rich; the trained
/// network's end state against (i) the pseudo-inverse prediction over the realized path, G_Q D⁺ ΔU_S, and (ii) the
/// frozen-kernel minimum-norm interpolant from the initial kernel; with the norm and effective rank of the first
/// layer's weight change over training.
/// </summary>
public sealed class ImplicitBiasStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "implicit-bias";

    /// <inheritdoc/>
    public string Description =>
        "Implicit bias: gradient descent on an under-determined regression (50 points, thousands of parameters) "
        + "from a lazy and a rich initialization. "
        + "Where does it end? Against the realized-path pseudo-inverse prediction G_Q D⁺ ΔU_S (THEORY §2, 'modes "
        + "are learned from the top of W_S down') and "
        + "against the frozen-kernel minimum-norm interpolant from the initial kernel (THEORY §7); and how large "
        + "and how low-rank the learned weight change is.";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new ImplicitBiasConfig(),
            "full" => new ImplicitBiasConfig
            {
                LazyModel = new MlpConfig
                {
                    Widths = [5, 8192, 1],
                    WeightStd = Math.Sqrt(2),
                    BiasStd = 0.1,
                },
                RichSteps = 20_000,
                Snapshots = 100,
            },
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    /// <summary>Effective rank exp(H(σ/Σσ)) (Roy &amp; Vetterli 2007) and norm of ΔW = W − W₀ of the first
    /// layer, at every logged step.</summary>
    private sealed class WeightChange(int every) : ITrainingObserver
    {
        private Tensor? _initial;
        public List<(int Step, double Norm, double Rank, double WeightNorm)> Rows { get; } = [];

        public void OnStep(TrainingState state)
        {
            if (state.Step % every != 0 && !state.Final)
                return;
            using var scope = NewDisposeScope();
            var w = state.Model.parameters().First().detach().to_type(ScalarType.Float64);
            _initial ??= w.clone().DetachFromDisposeScope();
            var delta = w - _initial;
            double norm = delta.norm().item<double>();
            double rank = 0;
            if (norm > 0)
            {
                var s = linalg.svdvals(delta);
                var p = s / s.sum();
                rank = Math.Exp(-(p * (p + 1e-300).log()).sum().item<double>());
            }
            Rows.Add((state.Step, norm, rank, w.norm().item<double>()));
        }
    }

    /// <inheritdoc/>
    public StudyOutcome Run(
        object configObject,
        RunDirectory run,
        HtmlReport report,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        var c = (ImplicitBiasConfig)configObject;
        var regimes = new List<(string Name, PathAnalysisResult Result, WeightChange Weights, double TrainMse)>();
        foreach (
            var (name, model, lr, steps) in new[]
            {
                ("lazy", c.LazyModel, c.LazyLr, c.LazySteps),
                ("rich", c.RichModel, c.RichLr, c.RichSteps),
            }
        )
        {
            progress?.Report(new ProgressReport(name, regimes.Count / 2.0, "training and recording"));
            var train = new TrainConfig
            {
                Task = c.Task,
                Model = model,
                Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = lr },
                Steps = steps,
                LogEvery = Math.Max(1, steps / 100),
                Seed = c.Seed,
                RiskEstimate = false,
                Record = new RecordConfig { Schedule = "log", Count = c.Snapshots },
            }.Validate();
            var weights = new WeightChange(train.LogEvery);
            var sub = Runner.RunArm(
                run,
                new Arm(
                    name,
                    new RunSpec
                    {
                        Config = train,
                        Probes = [weights],
                        Analysis = new(),
                    }
                ),
                cancel
            );
            regimes.Add((name, sub.Paths, weights, sub.Number("final_train_mse")));
        }
        var lazy = regimes[0];
        var rich = regimes[1];
        double Frozen(PathAnalysisResult r) => r.Frozen!.TestOutputRelativeError;
        RegimeOutcome Outcome((string Name, PathAnalysisResult Result, WeightChange Weights, double TrainMse) r) =>
            new(r.TrainMse, r.Result.PathCouplingRelativeError, Frozen(r.Result), r.Result.KernelDriftFrobenius);
        var verdicts = Verdicts(c, Outcome(lazy), Outcome(rich)).ToList();

        var plot = Figure.NewPlot(
            "The learned weight change ΔW = W − W₀ (first layer)",
            "step + 1",
            "relative norm ‖ΔW‖/‖W₀‖"
        );
        var plot2 = Figure.NewPlot("Effective rank of ΔW (first layer)", "step + 1", "exp(entropy of σ/Σσ)");
        foreach (var (r, color) in new[] { (lazy, Colors.Navy), (rich, Colors.Crimson) })
        {
            var rows = r.Weights.Rows.Where(x => x.Step > 0).ToList();
            double w0 = r.Weights.Rows[0].WeightNorm;
            var x = rows.Select(v => Math.Log10(v.Step + 1)).ToArray();
            var a = plot.Add.ScatterLine(x, rows.Select(v => Math.Log10(v.Norm / w0)).ToArray());
            a.Color = color;
            a.LineWidth = 2.5f;
            a.LegendText = r.Name;
            var b = plot2.Add.ScatterLine(x, rows.Select(v => v.Rank).ToArray());
            b.Color = color;
            b.LineWidth = 2.5f;
            b.LegendText = r.Name;
        }
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.UpperLeft);
        Figure.LogX(plot2);
        plot2.ShowLegend(Alignment.UpperRight);
        var fig1 = Figure.Render(
            plot,
            "weight_change",
            "How far the first layer moves from its initialization (relative Frobenius norm), lazy and rich."
        );
        var fig2 = Figure.Render(
            plot2,
            "weight_change_rank",
            "Effective rank of the first layer's weight change over training."
        );
        run.WriteFigure(fig1.Name, fig1.Svg, fig1.Png);
        run.WriteFigure(fig2.Name, fig2.Svg, fig2.Png);
        report
            .Heading("End states")
            .Table(
                [
                    "regime",
                    "kernel drift",
                    "realized-path prediction error",
                    "frozen-kernel interpolant error",
                    "‖ΔW‖/‖W₀‖",
                    "effective rank of ΔW",
                ],
                regimes.Select(r =>
                    (IReadOnlyList<string>)
                        [
                            r.Name,
                            HtmlReport.Number(r.Result.KernelDriftFrobenius),
                            HtmlReport.Number(r.Result.PathCouplingRelativeError),
                            HtmlReport.Number(Frozen(r.Result)),
                            HtmlReport.Number(r.Weights.Rows[^1].Norm / r.Weights.Rows[0].WeightNorm),
                            HtmlReport.Number(r.Weights.Rows[^1].Rank),
                        ]
                )
            )
            .Paragraph(
                $"The first layer's weight change has effective rank {lazy.Weights.Rows[^1].Rank:F1} (lazy) and "
                    + $"{rich.Weights.Rows[^1].Rank:F1} (rich) at the end, of at most "
                    + $"{c.Task.Dimension} (the input dimension bounds it); the curves show how it grows."
            )
            .Paragraph(
                "Each regime's full run (metrics, kernel snapshots, path-operator analysis and its report) is in "
                    + "the sub-directories lazy/ and rich/."
            )
            .Figure(fig1)
            .Figure(fig2);
        var results = new List<KeyValuePair<string, object?>>();
        foreach (var r in regimes)
        {
            results.Add(new($"{r.Name}_kernel_drift", r.Result.KernelDriftFrobenius));
            results.Add(new($"{r.Name}_path_prediction_rel_error", r.Result.PathCouplingRelativeError));
            results.Add(new($"{r.Name}_frozen_interpolant_rel_error", Frozen(r.Result)));
            results.Add(new($"{r.Name}_weight_change_effective_rank", r.Weights.Rows[^1].Rank));
        }
        return new StudyOutcome(verdicts, results);
    }

    /// <summary>What the verdicts compare, per regime.</summary>
    internal sealed record RegimeOutcome(double TrainMse, double PathError, double FrozenError, double Drift);

    /// <summary>The four verdicts from the two regimes' outcomes, each through a <see cref="Criterion"/> whose
    /// threshold is a config field.</summary>
    internal static IEnumerable<Verdict> Verdicts(ImplicitBiasConfig c, RegimeOutcome lazy, RegimeOutcome rich)
    {
        double noise = c.Task.NoiseStd * c.Task.NoiseStd;
        yield return new Criterion(
            "the larger final train MSE over the label-noise variance",
            Comparison.Below,
            c.InterpolationShare,
            "interpolation_share"
        ).Verdict(
            "interpolates",
            "Both networks interpolate the under-determined training set (the setting of the question)",
            $"final train MSE: lazy {lazy.TrainMse:G3}, rich {rich.TrainMse:G3} (label-noise variance {noise:G3})",
            Math.Max(lazy.TrainMse, rich.TrainMse) / noise
        );
        yield return new Criterion(
            "the larger realized-path error of the test outputs",
            Comparison.AtMost,
            c.Tolerance,
            "tolerance"
        ).Verdict(
            "realized_path_pseudo_inverse",
            "The end state is the pseudo-inverse over the realized path: ΔU_Q = G_Q D⁺ ΔU_S (THEORY §2)",
            $"relative error of the test outputs: lazy {lazy.PathError:G3}, rich {rich.PathError:G3} (kernel drift "
                + $"{lazy.Drift:G3} and {rich.Drift:G3})",
            Math.Max(lazy.PathError, rich.PathError)
        );
        yield return new Criterion("the lazy frozen-kernel error", Comparison.AtMost, c.Tolerance, "tolerance").Verdict(
            "lazy_is_min_norm_interpolant",
            "In the lazy regime the end state is the frozen-kernel minimum-norm interpolant (THEORY §7)",
            $"lazy: relative error {lazy.FrozenError:G3}",
            lazy.FrozenError
        );
        yield return new Criterion(
            "the rich frozen-kernel error over max(tolerance, rich_margin × its realized-path error)",
            Comparison.Above,
            1,
            "tolerance, rich_margin"
        ).Verdict(
            "rich_leaves_the_frozen_kernel",
            "With feature learning the frozen-kernel interpolant misses the end state while the realized-path "
                + "prediction still holds",
            $"rich: frozen-kernel error {rich.FrozenError:G3} against realized-path error {rich.PathError:G3}",
            rich.FrozenError / Math.Max(c.Tolerance, c.RichMargin * rich.PathError)
        );
    }
}
