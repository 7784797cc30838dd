using ScottPlot;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Theory;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Commands;

/// <summary>
/// <c>tangent kernel</c>: the infinite-width NNGP and NTK of a configured MLP on .npy inputs and, optionally, how far
/// finite networks of given widths are from the limit (relative Frobenius distance of eNTK/p to the analytic NTK, at
/// initialization and after gradient descent on given targets).
/// </summary>
public static class InfiniteWidthRun
{
    /// <summary>Writes arrays, summary, metrics, figures and report; returns the summary.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> Run(
        InfiniteWidthRunConfig settings,
        RunDirectory run,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        settings.Validate();
        var model = settings.Config.Model;
        using var scope = NewDisposeScope();
        var x = NpyInputs.LoadMatrix(settings.Inputs, "--inputs", model.Widths[0]);
        var q = settings.Query is null ? null : NpyInputs.LoadMatrix(settings.Query, "--query", model.Widths[0]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        progress?.Report(
            new ProgressReport("infinite width", 0, $"{model.Activation}, depth {model.Widths.Count - 2}")
        );
        var summary = new List<KeyValuePair<string, object?>>
        {
            new("samples", x.shape[0]),
            new("activation", model.Activation.ToString()),
            new(
                "closed_form",
                model.Activation
                    is Activation.Relu
                        or Activation.LeakyRelu
                        or Activation.Abs
                        or Activation.Erf
                        or Activation.Identity
                        or Activation.Quadratic
            ),
            new("parameterization", model.Parameterization.ToString()),
        };
        Tensor? ntkTrain = null;
        if (settings.Diagonal)
        {
            using var d = InfiniteWidth.Diagonal(model, x, settings.QuadratureDegree);
            run.WriteArray("NNGP_diagonal", d.Nngp);
            run.WriteArray("NTK_diagonal", d.Ntk);
            summary.Add(new("ntk_diagonal_mean", d.Ntk.mean().item<double>()));
        }
        else
        {
            using var k = InfiniteWidth.Compute(model, x, x, settings.QuadratureDegree);
            run.WriteArray("NNGP", k.Nngp);
            run.WriteArray("NTK", k.Ntk);
            ntkTrain = k.Ntk.clone();
            var lambda = linalg.eigvalsh(k.Ntk).flip(0).data<double>().ToArray();
            run.WriteArray("NTK_eigenvalues", lambda, lambda.Length);
            summary.Add(new("ntk_lambda_max", lambda[0]));
            summary.Add(new("ntk_trace", lambda.Sum()));
            if (q is not null)
            {
                using var kq = InfiniteWidth.Compute(model, q, x, settings.QuadratureDegree);
                run.WriteArray("NNGP_QS", kq.Nngp);
                run.WriteArray("NTK_QS", kq.Ntk);
            }
        }
        summary.Add(new("infinite_width_seconds", clock.Elapsed.TotalSeconds));

        var rows = new List<(int Width, double AtInit, double AtInitSpread, double? Trained)>();
        if (settings.FiniteWidths.Count > 0)
        {
            ConfigException.Require(
                ntkTrain is not null,
                "--diagonal",
                "the finite-width comparison needs the full kernel",
                "drop --diagonal"
            );
            Tensor? y = settings.Targets is null
                ? null
                : NpyInputs.LoadMatrix(settings.Targets, "--targets", model.Widths[^1], rows: x.shape[0]);
            var g = Seeds.Generator(settings.Config.Seed);
            for (int wi = 0; wi < settings.FiniteWidths.Count; wi++)
            {
                int width = settings.FiniteWidths[wi];
                var finite = model with
                {
                    Widths =
                    [
                        model.Widths[0],
                        .. model.Widths.Skip(1).Take(model.Widths.Count - 2).Select(_ => width),
                        model.Widths[^1],
                    ],
                };
                var init = new List<double>();
                var trained = new List<double>();
                for (int draw = 0; draw < settings.Draws; draw++)
                {
                    cancel.ThrowIfCancellationRequested();
                    progress?.Report(
                        new ProgressReport(
                            "finite widths",
                            (wi + (double)draw / settings.Draws) / settings.FiniteWidths.Count,
                            $"width {width}, draw {draw + 1}/{settings.Draws}"
                        )
                    );
                    using var inner = NewDisposeScope();
                    var net = new Mlp(finite, g);
                    var infinite = ntkTrain!;
                    init.Add(Distance(net, x, infinite, model.Widths[^1]));
                    if (y is not null)
                    {
                        // Full-batch GD on ½-MSE through the one training loop; the "test" set is the training set.
                        var train = new TrainConfig
                        {
                            Task = new TaskConfig
                            {
                                Kind = "teacher",
                                Dimension = (int)x.shape[1],
                                Outputs = (int)y.shape[1],
                            },
                            Model = finite,
                            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = settings.TrainLr },
                            Steps = settings.TrainSteps,
                            LogEvery = settings.TrainSteps,
                            RiskEstimate = false,
                        };
                        using var task = new TaskData(x.alias(), y.alias(), y.alias(), x.alias(), y.alias());
                        var spec = new RunSpec { Config = train, LearningRateField = "--train-lr" };
                        Runner.Train(spec, net, task, cancel: cancel);
                        trained.Add(Distance(net, x, infinite, model.Widths[^1]));
                    }
                }
                double mean = init.Average();
                double spread =
                    init.Count > 1 ? Math.Sqrt(init.Sum(v => (v - mean) * (v - mean)) / (init.Count - 1)) : 0;
                rows.Add((width, mean, spread, trained.Count > 0 ? trained.Average() : null));
            }
            run.WriteArray("finite_widths", rows.Select(r => (double)r.Width).ToArray(), rows.Count);
            run.WriteArray("distance_at_init", rows.Select(r => r.AtInit).ToArray(), rows.Count);
            if (y is not null)
                run.WriteArray("distance_after_training", rows.Select(r => r.Trained!.Value).ToArray(), rows.Count);
            // Slope of log distance against log width: −1/2 is the fluctuation scaling of the finite eNTK.
            var lx = rows.Select(r => Math.Log(r.Width)).ToArray();
            var ly = rows.Select(r => Math.Log(r.AtInit)).ToArray();
            if (rows.Count >= 2)
                summary.Add(new("distance_width_exponent", Statistics.Slope(lx, ly)));
            summary.Add(new("distance_at_init_widest", rows[^1].AtInit));
            if (y is not null)
                summary.Add(new("distance_after_training_widest", rows[^1].Trained));
        }
        summary.Add(new("wall_seconds", run.ElapsedSeconds));
        run.WriteSummary(summary);
        run.WriteMetrics(
            ["width", "distance_at_init", "distance_at_init_std", "distance_after_training"],
            rows.Select(r => (IReadOnlyList<double?>)[r.Width, r.AtInit, r.AtInitSpread, r.Trained])
        );

        var report = new HtmlReport("Tangent kernel: infinite-width NNGP and NTK")
            .Paragraph(
                $"Infinite-width kernels of the {string.Join("→", model.Widths)} {model.Activation} MLP "
                    + $"({model.Parameterization} parameterization, "
                    + $"σ_w = {model.WeightStd}, σ_b = {model.BiasStd}, {(model.Bias ? "with" : "without")} biases) "
                    + $"on {x.shape[0]} inputs from {settings.Inputs}; "
                    + "per output (the full kernel is K ⊗ I_p). "
                    + (
                        model.Activation is Activation.Tanh or Activation.Gelu or Activation.Sigmoid or Activation.Sin
                            ? $"Gaussian moments by Gauss–Hermite quadrature of degree {settings.QuadratureDegree}."
                            : "Gaussian moments in closed form."
                    )
            )
            .Heading("Summary")
            .Summary(summary);
        if (rows.Count > 0)
        {
            var plot = Figure.NewPlot(
                "Finite networks against the infinite-width NTK",
                "hidden width",
                "‖eNTK/p − Θ‖_F / ‖Θ‖_F"
            );
            var wx = rows.Select(r => Math.Log10(r.Width)).ToArray();
            var a = plot.Add.Scatter(wx, rows.Select(r => Math.Log10(r.AtInit)).ToArray());
            a.Color = Colors.Navy;
            a.LineWidth = 2.5f;
            a.LegendText = "at initialization";
            if (rows[0].Trained is not null)
            {
                var b = plot.Add.Scatter(wx, rows.Select(r => Math.Log10(r.Trained!.Value)).ToArray());
                b.Color = Colors.Crimson;
                b.LineWidth = 2.5f;
                b.LegendText = $"after {settings.TrainSteps} GD steps";
            }
            double anchor = Math.Log10(rows[0].AtInit);
            var reference = plot.Add.ScatterLine(wx, wx.Select(v => anchor - 0.5 * (v - wx[0])).ToArray());
            reference.Color = Colors.Gray;
            reference.LinePattern = LinePattern.Dashed;
            reference.LegendText = "∝ 1/√width";
            Figure.LogX(plot);
            Figure.LogY(plot);
            plot.ShowLegend(Alignment.LowerLeft);
            var figure = Figure.Render(
                plot,
                "finite_vs_infinite",
                "Relative distance of finite networks' eNTK (traced, per output) from the analytic NTK, mean over "
                    + $"{settings.Draws} draws per width."
            );
            run.WriteFigure(figure.Name, figure.Svg, figure.Png);
            report
                .Heading("Finite against infinite width")
                .Table(
                    ["width", "distance at init", "std over draws", "after training"],
                    rows.Select(r =>
                        (IReadOnlyList<string>)
                            [
                                $"{r.Width}",
                                HtmlReport.Number(r.AtInit),
                                HtmlReport.Number(r.AtInitSpread),
                                r.Trained is { } t ? HtmlReport.Number(t) : "—",
                            ]
                    )
                )
                .Figure(figure);
        }
        run.WriteReport(report.Build());
        progress?.Report(new ProgressReport("done", 1, ""));
        return summary;
    }

    /// <summary>‖eNTK_traced/p − Θ‖_F / ‖Θ‖_F.</summary>
    private static double Distance(Mlp net, Tensor x, Tensor infinite, int outputs)
    {
        using var k = Ntk.Compute(net, x, null, new NtkOptions { Traced = true });
        return ((k.Kss / outputs - infinite).norm() / infinite.norm()).item<double>();
    }
}
