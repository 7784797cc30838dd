using ScottPlot;
using Tangent.Channel;
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
/// The critics' test of circularity (issue 7, study 4): train with the output gradient projected onto the current
/// signal channel of the kernel (refreshed on a schedule), so reservoir directions get no update, beside the unablated
/// run from the same seed, with label noise. If the reservoir is test-invisible, the test loss should not change while
/// the noise is no longer memorized.
/// </summary>
public sealed class ReservoirAblationStudy : IStudy
{
    /// <inheritdoc/>
    public string Name => "reservoir-ablation";

    /// <inheritdoc/>
    public string Description =>
        "Reservoir ablation: gradient descent whose output gradient g is replaced by Π_channel g (the channel of "
        + "the current eNTK: eigenvalues with ηλT/n ≥ c, "
        + "refreshed every few steps, for several c), against the unablated run from the same initialization, on a "
        + "regression task with recorded label noise. "
        + "Does the test loss stay the same while the noise stops being memorized?";

    /// <inheritdoc/>
    public object Preset(string preset) =>
        preset switch
        {
            "quick" => new ReservoirAblationConfig(),
            "full" => new ReservoirAblationConfig
            {
                Task = new TaskConfig
                {
                    Kind = "teacher",
                    TrainSamples = 500,
                    TestSamples = 1000,
                    Dimension = 10,
                    Outputs = 1,
                    TeacherWidth = 16,
                    NoiseStd = 0.5,
                },
                Model = new MlpConfig
                {
                    Widths = [10, 2048, 1],
                    WeightStd = Math.Sqrt(2),
                    BiasStd = 0.1,
                },
                Steps = 10_000,
                RefreshEvery = 200,
                LogEvery = 50,
            },
            _ => throw StudyCatalog.UnknownPreset(preset),
        };

    private sealed record Row(int Step, double TrainMse, double TestMse, double NoiseAbsorbed, int ChannelDim);

    /// <inheritdoc/>
    public StudyOutcome Run(
        object configObject,
        RunDirectory run,
        HtmlReport report,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        var c = (ReservoirAblationConfig)configObject;
        c.Task.Validate();
        c.Model.Validate();
        ConfigException.Require(
            c.Model.Widths[0] == c.Task.InputDimension && c.Model.Widths[^1] == c.Task.Outputs,
            "model.widths",
            "must match the task's input and output dimensions",
            "adjust model.widths"
        );
        ConfigException.Require(
            c.Steps >= 1 && c.RefreshEvery >= 1 && c.Lr > 0,
            "steps/refresh_every/lr",
            "must be positive",
            "use the preset values"
        );
        ConfigException.Require(
            c.RelaxationThresholds.Count > 0 && c.RelaxationThresholds.All(t => t > 0),
            "relaxation_thresholds",
            "need positive thresholds",
            "use e.g. [1, 10, 100]"
        );
        using var task = c.Task.Create(c.Seed);
        var full = Train(c, task, null, progress, 0, cancel);
        var ablations = new List<(double Threshold, List<Row> Rows)>();
        for (int i = 0; i < c.RelaxationThresholds.Count; i++)
            ablations.Add(
                (
                    c.RelaxationThresholds[i],
                    Train(
                        c,
                        task,
                        c.RelaxationThresholds[i],
                        progress,
                        (i + 1.0) / (c.RelaxationThresholds.Count + 1),
                        cancel
                    )
                )
            );

        var a = full[^1];
        double TestChange(Row r) => Math.Abs(r.TestMse - a.TestMse) / a.TestMse;
        double NoiseRatio(Row r) => r.NoiseAbsorbed / Math.Max(1e-12, a.NoiseAbsorbed);
        var star = ablations.OrderBy(x => Math.Abs(x.Threshold - 1)).First();
        var unchanged = new Criterion(
            "relative change of the final test MSE",
            Comparison.AtMost,
            c.TestTolerance,
            "test_tolerance"
        );
        var halved = new Criterion(
            "ablated noise absorbed / unablated",
            Comparison.AtMost,
            c.MemorizationRatio,
            "memorization_ratio"
        );
        var costs = new Criterion(
            "relative change of the final test MSE at the largest c",
            Comparison.Above,
            c.TestTolerance,
            "test_tolerance"
        );
        var b = star.Rows[^1];
        var good = ablations
            .Where(x => unchanged.Judge(TestChange(x.Rows[^1])) == true && halved.Judge(NoiseRatio(x.Rows[^1])) == true)
            .ToList();
        var smallest = ablations.MaxBy(x => x.Threshold);
        string Table(IEnumerable<(double Threshold, List<Row> Rows)> xs) =>
            string.Join(
                "; ",
                xs.Select(x =>
                    $"c = {x.Threshold}: channel {x.Rows[^1].ChannelDim}, test {TestChange(x.Rows[^1]):P1} change, "
                    + $"noise absorbed {x.Rows[^1].NoiseAbsorbed:P1}"
                )
            );
        var verdicts = new List<Verdict>
        {
            unchanged.Verdict(
                "test_loss_unchanged",
                "If the reservoir is invisible to test outputs, removing its updates leaves the test loss "
                    + $"unchanged (THEORY §2–3, §8); channel at ηλT/n ≥ {star.Threshold}",
                $"final test MSE {a.TestMse:G4} unablated, {b.TestMse:G4} ablated ({TestChange(b):P1} change); "
                    + $"channel {b.ChannelDim} of {c.Task.TrainSamples * c.Task.Outputs}",
                TestChange(b)
            ),
            halved.Verdict(
                "noise_not_memorized",
                "The label noise is memorized through the reservoir, so ablating it halves memorization; channel "
                    + $"at ηλT/n ≥ {star.Threshold}",
                $"share of the label noise absorbed into the training outputs: {a.NoiseAbsorbed:P1} unablated, "
                    + $"{b.NoiseAbsorbed:P1} ablated",
                NoiseRatio(b)
            ),
            new(
                "some_channel_separates_noise_from_signal",
                "Some channel size ablates the memorization of noise (halves it) without changing the test loss",
                good.Count > 0
                    ? $"yes at c = {string.Join(", ", good.Select(x => x.Threshold))} — {Table(good)}"
                    : $"no threshold does — {Table(ablations)}",
                $"for some c: {unchanged.Text} and {halved.Text}",
                good.Count > 0
            ),
            costs.Verdict(
                "too_small_channel_costs_test",
                "A channel too small removes signal too: the test loss rises (the reservoir is not all noise)",
                $"c = {smallest.Threshold}: channel {smallest.Rows[^1].ChannelDim}, test MSE "
                    + $"{smallest.Rows[^1].TestMse:G4} ({TestChange(smallest.Rows[^1]):P1} change)",
                TestChange(smallest.Rows[^1])
            ),
        };

        var columns = new List<string> { "step", "train_mse", "test_mse", "noise_absorbed" };
        foreach (var (t, _) in ablations)
            columns.AddRange([$"test_mse_c{t}", $"noise_absorbed_c{t}", $"channel_dim_c{t}"]);
        run.WriteMetrics(
            columns,
            full.Select(
                (x, i) =>
                {
                    var row = new List<double?> { x.Step, x.TrainMse, x.TestMse, x.NoiseAbsorbed };
                    foreach (var (_, rows) in ablations)
                        row.AddRange([rows[i].TestMse, rows[i].NoiseAbsorbed, rows[i].ChannelDim]);
                    return (IReadOnlyList<double?>)row;
                }
            )
        );
        var steps = full.Select(r => Math.Log10(r.Step + 1)).ToArray();
        double L(double v) => Math.Log10(Math.Max(v, 1e-12));
        var palette = new[]
        {
            Colors.Navy,
            Colors.Orange,
            Colors.SeaGreen,
            Colors.Purple,
            Colors.Crimson,
            Colors.Brown,
            Colors.Teal,
        };
        var plot = Figure.NewPlot("Ablating the reservoir: test error", "step + 1", "test mean squared error");
        var p0 = plot.Add.ScatterLine(steps, full.Select(r => L(r.TestMse)).ToArray());
        p0.Color = Colors.Black;
        p0.LineWidth = 3;
        p0.LegendText = "unablated";
        var plot2 = Figure.NewPlot("Memorized label noise", "step + 1", "share of the noise absorbed into U_S");
        var q0 = plot2.Add.ScatterLine(steps, full.Select(r => r.NoiseAbsorbed).ToArray());
        q0.Color = Colors.Black;
        q0.LineWidth = 3;
        q0.LegendText = "unablated";
        for (int i = 0; i < ablations.Count; i++)
        {
            var (t, rows) = ablations[i];
            var line = plot.Add.ScatterLine(steps, rows.Select(r => L(r.TestMse)).ToArray());
            line.Color = palette[i % palette.Length];
            line.LineWidth = 2;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = $"channel ηλT/n ≥ {t} ({rows[^1].ChannelDim} dims)";
            var line2 = plot2.Add.ScatterLine(steps, rows.Select(r => r.NoiseAbsorbed).ToArray());
            line2.Color = palette[i % palette.Length];
            line2.LineWidth = 2;
            line2.LinePattern = LinePattern.Dashed;
            line2.LegendText = $"ηλT/n ≥ {t}";
        }
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.LowerLeft);
        Figure.LogX(plot2);
        plot2.ShowLegend(Alignment.UpperLeft);
        var fig1 = Figure.Render(
            plot,
            "ablation_loss",
            "Test MSE of the unablated run (black) and of runs whose output gradient is projected on channels of "
                + "decreasing size (dashed), same initialization."
        );
        var fig2 = Figure.Render(
            plot2,
            "ablation_noise",
            "⟨U_S − f*(X_S), ε⟩ / ‖ε‖²: the share of the label noise the training outputs absorbed."
        );
        run.WriteFigure(fig1.Name, fig1.Svg, fig1.Png);
        run.WriteFigure(fig2.Name, fig2.Svg, fig2.Png);
        report
            .Heading("Trajectories")
            .Figure(fig1)
            .Figure(fig2)
            .Table(
                ["channel: ηλT/n ≥", "channel dimension (end)", "final test MSE", "test change", "noise absorbed"],
                [
                    [
                        "unablated",
                        $"{c.Task.TrainSamples * c.Task.Outputs}",
                        HtmlReport.Number(a.TestMse),
                        "",
                        HtmlReport.Number(a.NoiseAbsorbed),
                    ],
                    .. ablations.Select(x =>
                        (IReadOnlyList<string>)
                            [
                                $"{x.Threshold}",
                                $"{x.Rows[^1].ChannelDim}",
                                HtmlReport.Number(x.Rows[^1].TestMse),
                                $"{TestChange(x.Rows[^1]):P1}",
                                HtmlReport.Number(x.Rows[^1].NoiseAbsorbed),
                            ]
                    ),
                ]
            )
            .Paragraph(
                $"The channel is recomputed from the current K_SS every {c.RefreshEvery} steps (η = {c.Lr}, T = "
                    + $"{c.Steps}, n = {c.Task.TrainSamples})."
            );
        var results = new List<KeyValuePair<string, object?>>
        {
            new("final_test_mse", a.TestMse),
            new("noise_absorbed", a.NoiseAbsorbed),
            new("final_train_mse", a.TrainMse),
        };
        foreach (var (t, rows) in ablations)
        {
            results.Add(new($"final_test_mse_c{t}", rows[^1].TestMse));
            results.Add(new($"noise_absorbed_c{t}", rows[^1].NoiseAbsorbed));
            results.Add(new($"channel_dim_c{t}", rows[^1].ChannelDim));
        }
        return new StudyOutcome(verdicts, results);
    }

    /// <summary>One run; <paramref name="threshold"/> null is the unablated run, otherwise the channel is ηλT/n ≥
    /// threshold.</summary>
    private static List<Row> Train(
        ReservoirAblationConfig c,
        TaskData task,
        double? threshold,
        IProgress<ProgressReport>? progress,
        double offset,
        CancellationToken cancel
    )
    {
        bool ablate = threshold is not null;
        var model = new Mlp(c.Model, Seeds.Generator(c.Seed + 1));
        long n = task.TrainX.shape[0];
        using var noise = task.LabelNoise;
        double noiseNorm = noise.Squared().sum().item<double>();
        double lambdaStar = (threshold ?? 0) * n / (c.Lr * c.Steps);
        Tensor? channel = null;
        int channelDim = (int)(n * c.Task.Outputs);
        var rows = new List<Row>();
        var train = new TrainConfig
        {
            Task = c.Task,
            Model = c.Model,
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = c.Lr },
            Steps = c.Steps,
            LogEvery = c.Steps,
            RiskEstimate = false,
        };
        var log = new StepObserver(state =>
        {
            if (state.Step % c.LogEvery != 0 && !state.Final)
                return;
            using var _ = no_grad();
            var us = model.call(task.TrainX);
            rows.Add(
                new Row(
                    state.Step,
                    (us - task.TrainY).Squared().mean().item<double>(),
                    (model.call(task.TestX) - task.TestY).Squared().mean().item<double>(),
                    ((us - task.TrainClean) * noise).sum().item<double>() / noiseNorm,
                    channelDim
                )
            );
            if (state.Step % 50 == 0)
                progress?.Report(
                    new ProgressReport(
                        ablate ? $"ablated c = {threshold}" : "unablated",
                        offset + state.Step / (double)c.Steps / (c.RelaxationThresholds.Count + 1),
                        $"step {state.Step}/{c.Steps}"
                    )
                );
        });
        // The ablation: the output gradient g is replaced by its projection on the channel of the current kernel
        // (eigenvalues ≥ λ⋆, refreshed every refresh_every steps), so the update J_Sᵀ g′ never moves the
        // reservoir.
        Tensor Project(int step, Tensor g)
        {
            if (step % c.RefreshEvery == 0)
            {
                channel?.Dispose();
                using var k = Ntk.Compute(model, task.TrainX);
                using var split = SpectralPartition.OfAbsolute(k.Kss, lambdaStar);
                channelDim = split.ChannelSize;
                channel = split.ChannelVectors().DetachFromDisposeScope();
            }
            return channel!.matmul(channel!.T.matmul(g.reshape(-1))).reshape(g.shape);
        }
        try
        {
            var spec = new RunSpec
            {
                Config = train,
                Probes = [log],
                GradientTransform = ablate ? Project : null,
            };
            Runner.Train(spec, model, task, cancel: cancel);
        }
        finally
        {
            channel?.Dispose();
        }
        return rows;
    }
}
