using ScottPlot;
using Tangent.Native;
using Tangent.Reports;
using Tangent.Store;

namespace Tangent.Demo;

/// <summary>Writes the demo's arrays, metrics, summary, figures and report into a run directory.</summary>
public static class DemoReport
{
    /// <summary>Named scalar results, in the order they appear in summary.json.</summary>
    public static List<KeyValuePair<string, object?>> Summary(DemoResult r, double wallSeconds)
    {
        var first = r.Checkpoints[0];
        var last = r.Checkpoints[^1];
        return
        [
            new("final_train_mse", last.TrainMse),
            new("final_test_mse", last.TestMse),
            new("initial_train_mse", first.TrainMse),
            new("initial_test_mse", first.TestMse),
            new("label_noise_variance", r.Config.NoiseStd * r.Config.NoiseStd),
            new("channel_share_residual", last.ChannelShareResidual),
            new("channel_share_residual_initial", first.ChannelShareResidual),
            new("reservoir_share_label_noise", last.ReservoirShareLabelNoise),
            new("reservoir_share_label_noise_initial", first.ReservoirShareLabelNoise),
            new("channel_size", last.ChannelSize),
            new("channel_size_initial", first.ChannelSize),
            new("lambda_max", last.Eigenvalues[0]),
            new("lambda_max_initial", first.Eigenvalues[0]),
            new("channel_threshold", r.Config.ChannelThreshold),
            new("kernel_drift", r.KernelDrift),
            new("noise_fitted_fraction", r.NoiseFittedFraction),
            new("checkpoints", r.Checkpoints.Count),
            new("steps", r.Config.Steps),
            new("wall_seconds", Math.Round(wallSeconds, 3)),
        ];
    }

    /// <summary>Writes everything except run.json's final status.</summary>
    public static void Write(DemoResult r, RunDirectory run)
    {
        int c = r.Checkpoints.Count,
            n = r.TrainX.Length;
        run.WriteArray("checkpoint_steps", r.Checkpoints.Select(k => (double)k.Step).ToArray(), c);
        run.WriteArray("spectrum", Stack(r.Checkpoints, k => k.Eigenvalues), c, n);
        run.WriteArray("residual_projections", Stack(r.Checkpoints, k => k.ResidualProjections), c, n);
        run.WriteArray("noise_projections", Stack(r.Checkpoints, k => k.NoiseProjections), c, n);
        run.WriteArray("transfer_norms", Stack(r.Checkpoints, k => k.TransferNorms), c, n);
        run.WriteArray("train_x", r.TrainX, n);
        run.WriteArray("train_y", r.TrainY, n);
        run.WriteArray("label_noise", r.TrainY.Zip(r.TrainClean, (y, f) => y - f).ToArray(), n);
        run.WriteArray("test_x", r.TestX, r.TestX.Length);
        run.WriteArray("test_y", r.TestY, r.TestY.Length);
        run.WriteArray("eigenvectors_final", r.FinalEigenvectors, n, n);
        run.WriteArray("K_SS_initial", r.KernelInitial, n, n);
        run.WriteArray("K_SS_final", r.KernelFinal, n, n);
        run.WriteArray("grid_x", r.GridX, r.GridX.Length);
        run.WriteArray("fit_initial", r.FitInitial, r.GridX.Length);
        run.WriteArray("fit_final", r.FitFinal, r.GridX.Length);

        var checkpointAt = r.Checkpoints.ToDictionary(k => k.Step);
        run.WriteMetrics(
            [
                "step",
                "train_mse",
                "test_mse",
                "lambda_max",
                "channel_size",
                "channel_share_residual",
                "reservoir_share_label_noise",
            ],
            r.Curve.Select(p =>
            {
                checkpointAt.TryGetValue(p.Step, out var k);
                return (IReadOnlyList<double?>)
                    [
                        p.Step,
                        p.TrainMse,
                        p.TestMse,
                        k?.Eigenvalues[0],
                        k?.ChannelSize,
                        k?.ChannelShareResidual,
                        k?.ReservoirShareLabelNoise,
                    ];
            })
        );

        var figures = new[]
        {
            FitFigure(r),
            LossFigure(r),
            SpectrumFigure(r),
            SharesFigure(r),
            ProjectionsFigure(r),
            TransferFigure(r),
        };
        foreach (var f in figures)
            run.WriteFigure(f.Name, f.Svg, f.Png);

        var summary = Summary(r, run.ElapsedSeconds);
        run.WriteSummary(summary);
        run.WriteReport(Report(r, run, summary, figures));
    }

    private static string Report(
        DemoResult r,
        RunDirectory run,
        List<KeyValuePair<string, object?>> summary,
        RenderedFigure[] figures
    )
    {
        var cfg = r.Config;
        var last = r.Checkpoints[^1];
        var report = new HtmlReport("Tangent demo: the signal channel of a small ReLU network")
            .Paragraph(
                $"A one-hidden-layer ReLU network (width {cfg.Width}, output scaled by 1/√width, NTK initialization) "
                    + $"is trained by full-batch gradient descent (η = {cfg.LearningRate}, {cfg.Steps} steps, "
                    + $"½-MSE) on {cfg.TrainPoints} evenly spaced "
                    + $"points of [{cfg.XMin}, {cfg.XMax}] with targets {cfg.Amplitude}·sin({cfg.Frequency}x) plus "
                    + $"Gaussian noise of std {cfg.NoiseStd}; "
                    + $"{cfg.TestPoints} clean test points. At {r.Checkpoints.Count} log-spaced steps Tangent "
                    + "computes the instantaneous empirical NTK "
                    + "K_SS = J_S J_Sᵀ and K_QS = J_Q J_Sᵀ, splits the eigenvectors of K_SS into the signal "
                    + $"channel (λ ≥ {cfg.ChannelThreshold}·λ_max) "
                    + "and the reservoir, and projects the training residual r = U_S − Y and the injected label "
                    + "noise ε on them."
            )
            .Paragraph(
                "What this demo does and does not show: it reads the kernel at single instants. The "
                    + "channel/reservoir split of the theory "
                    + "is defined by the dissipation Gramian W_S accumulated along the whole path (THEORY §2), "
                    + "which `tangent analyze` computes; "
                    + "at a frozen kernel both share eigenvectors, and mode i relaxes by (1 − ηλ_i/n)^t, so "
                    + "directions far below the threshold barely move "
                    + "in the steps run."
            )
            .Heading("Summary")
            .Summary(summary)
            .Heading("Explore the recorded kernels")
            .Explorer(
                [ExplorerOf(r)],
                cfg.ChannelThreshold,
                "Move the snapshot slider through training and the threshold slider over τ: the channel is every "
                    + "eigen-direction of K_SS with λ ≥ τ·λ_max, re-partitioned as you move it. Hover a point "
                    + "for its "
                    + "exact value; zooming one per-direction chart zooms the others."
            )
            .Heading("Figures");
        foreach (var f in figures)
            report.Figure(f);
        report
            .Heading("Provenance")
            .Table(
                ["field", "value"],
                [
                    ["seed", cfg.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                    ["config hash", run.Info.ConfigHash],
                    ["Tangent", TorchRuntime.TangentVersion + (TorchRuntime.GitCommit is { } g ? $" ({g})" : "")],
                    ["TorchSharp / LibTorch", $"{TorchRuntime.TorchSharpVersion} / {TorchRuntime.LibTorchVersion}"],
                    ["final channel size", $"{last.ChannelSize} of {last.Eigenvalues.Length}"],
                ]
            );
        return report.Build();
    }

    /// <summary>The demo's checkpoints as the explorer's series: λ_i, (v_iᵀ r)², (v_iᵀ ε)² and ‖K_QS v_i‖
    /// per step.</summary>
    public static ExplorerSeries ExplorerOf(DemoResult r) =>
        new(
            "demo",
            "K_SS",
            r.Checkpoints.Select(k => k.Step).ToList(),
            r.Checkpoints.Select(k => k.Eigenvalues).ToList(),
            r.Checkpoints.Select(k => k.ResidualProjections.Select(c => c * c).ToArray()).ToList(),
            r.Checkpoints.Select(k => k.NoiseProjections.Select(c => c * c).ToArray()).ToList(),
            r.Checkpoints.Select(k => k.TransferNorms).ToList()
        );

    private static double[] Stack(IReadOnlyList<ChannelCheckpoint> ks, Func<ChannelCheckpoint, double[]> pick) =>
        ks.SelectMany(pick).ToArray();

    private static double Log10Clamped(double v, double floor = 1e-30) => Math.Log10(Math.Max(Math.Abs(v), floor));

    private static RenderedFigure FitFigure(DemoResult r)
    {
        var plot = Figure.NewPlot("Fit: network before and after training", "x", "f(x)");
        var truth = r.GridX.Select(x => r.Config.Amplitude * Math.Sin(r.Config.Frequency * x)).ToArray();
        var t = plot.Add.ScatterLine(r.GridX, truth);
        t.Color = Colors.Gray;
        t.LineWidth = 2;
        t.LinePattern = LinePattern.Dotted;
        t.LegendText = "target a·sin(ωx)";
        var i = plot.Add.ScatterLine(r.GridX, r.FitInitial);
        i.Color = Colors.Orange;
        i.LineWidth = 2;
        i.LinePattern = LinePattern.Dashed;
        i.LegendText = "network at step 0";
        var f = plot.Add.ScatterLine(r.GridX, r.FitFinal);
        f.Color = Colors.Navy;
        f.LineWidth = 2.5f;
        f.LegendText = $"network at step {r.Config.Steps}";
        var q = plot.Add.ScatterPoints(r.TestX, r.TestY);
        q.Color = Colors.SeaGreen;
        q.MarkerSize = 5;
        q.LegendText = "test points (clean)";
        var s = plot.Add.ScatterPoints(r.TrainX, r.TrainY);
        s.Color = Colors.Crimson;
        s.MarkerSize = 9;
        s.LegendText = "training points (noisy)";
        plot.ShowLegend(Alignment.LowerRight);
        return Figure.Render(
            plot,
            "fit",
            "The network before (dashed) and after (solid) training, with the noisy training points and the clean "
                + "test points."
        );
    }

    private static RenderedFigure LossFigure(DemoResult r)
    {
        var plot = Figure.NewPlot("Training and test error", "step + 1", "mean squared error");
        var x = r.Curve.Select(p => Math.Log10(p.Step + 1)).ToArray();
        var tr = plot.Add.ScatterLine(x, r.Curve.Select(p => Log10Clamped(p.TrainMse)).ToArray());
        tr.Color = Colors.Crimson;
        tr.LineWidth = 2.5f;
        tr.LegendText = "train MSE (noisy labels)";
        var te = plot.Add.ScatterLine(x, r.Curve.Select(p => Log10Clamped(p.TestMse)).ToArray());
        te.Color = Colors.SeaGreen;
        te.LineWidth = 2.5f;
        te.LegendText = "test MSE (clean targets)";
        if (r.Config.NoiseStd > 0)
        {
            var h = plot.Add.HorizontalLine(Math.Log10(r.Config.NoiseStd * r.Config.NoiseStd));
            h.Color = Colors.Gray;
            h.LinePattern = LinePattern.Dashed;
            h.LegendText = "label-noise variance σ²";
        }
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.LowerLeft);
        return Figure.Render(
            plot,
            "loss",
            "Train and test mean squared error against step (both axes log-scaled). The dashed line is the "
                + "label-noise variance: a train MSE below it means the network is fitting noise."
        );
    }

    private static RenderedFigure SpectrumFigure(DemoResult r)
    {
        var plot = Figure.NewPlot("eNTK spectrum over training", "step + 1", "eigenvalue λ of K_SS");
        var chX = new List<double>();
        var chY = new List<double>();
        var rsX = new List<double>();
        var rsY = new List<double>();
        foreach (var k in r.Checkpoints)
        {
            double x = Math.Log10(k.Step + 1);
            for (int i = 0; i < k.Eigenvalues.Length; i++)
            {
                double y = Log10Clamped(k.Eigenvalues[i], 1e-14 * k.Eigenvalues[0]);
                if (i < k.ChannelSize)
                {
                    chX.Add(x);
                    chY.Add(y);
                }
                else
                {
                    rsX.Add(x);
                    rsY.Add(y);
                }
            }
        }
        var rs = plot.Add.ScatterPoints(rsX.ToArray(), rsY.ToArray());
        rs.Color = Colors.Gray.WithAlpha(0.6);
        rs.MarkerSize = 4;
        rs.LegendText = "reservoir";
        var ch = plot.Add.ScatterPoints(chX.ToArray(), chY.ToArray());
        ch.Color = Colors.Navy;
        ch.MarkerSize = 6;
        ch.LegendText = "signal channel";
        var th = plot.Add.ScatterLine(
            r.Checkpoints.Select(k => Math.Log10(k.Step + 1)).ToArray(),
            r.Checkpoints.Select(k => Log10Clamped(k.Threshold)).ToArray()
        );
        th.Color = Colors.Crimson;
        th.LinePattern = LinePattern.Dashed;
        th.LineWidth = 2;
        th.LegendText = $"threshold {r.Config.ChannelThreshold}·λ_max";
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.LowerLeft);
        return Figure.Render(
            plot,
            "spectrum",
            "Every eigenvalue of the instantaneous eNTK K_SS at each checkpoint, coloured by side of the channel "
                + "threshold (values below 1e-14·λ_max are drawn at that floor)."
        );
    }

    private static RenderedFigure SharesFigure(DemoResult r)
    {
        var plot = Figure.NewPlot("Where the residual and the label noise lie", "step + 1", "share of squared norm");
        var x = r.Checkpoints.Select(k => Math.Log10(k.Step + 1)).ToArray();
        var a = plot.Add.Scatter(x, r.Checkpoints.Select(k => k.ChannelShareResidual).ToArray());
        a.Color = Colors.Navy;
        a.LineWidth = 2.5f;
        a.LegendText = "residual r = U_S − Y: share in channel";
        var b = plot.Add.Scatter(x, r.Checkpoints.Select(k => k.ReservoirShareLabelNoise).ToArray());
        b.Color = Colors.Crimson;
        b.LineWidth = 2.5f;
        b.LegendText = "label noise ε: share in reservoir";
        plot.Axes.SetLimitsY(-0.02, 1.02);
        Figure.LogX(plot);
        plot.ShowLegend(Alignment.LowerLeft);
        return Figure.Render(
            plot,
            "shares",
            "Share of the squared norm of the residual inside the signal channel, and of the injected label noise "
                + "inside the reservoir, at each checkpoint. Jumps happen when an eigenvalue crosses the channel "
                + "threshold (see the spectrum): the boundary is soft, so read these with the whole spectrum."
        );
    }

    private static RenderedFigure ProjectionsFigure(DemoResult r)
    {
        var last = r.Checkpoints[^1];
        var plot = Figure.NewPlot(
            "Residual and noise in the final eigenbasis",
            "eigenvalue λ_i of K_SS (final)",
            "squared projection (v_iᵀ·)²"
        );
        var x = last.Eigenvalues.Select(l => Log10Clamped(l, 1e-14 * last.Eigenvalues[0])).ToArray();
        var e = plot.Add.ScatterPoints(x, last.NoiseProjections.Select(v => Log10Clamped(v * v)).ToArray());
        e.Color = Colors.Crimson;
        e.MarkerSize = 8;
        e.LegendText = "label noise ε";
        var r0 = plot.Add.ScatterPoints(x, r.InitialResidualInFinalBasis.Select(v => Log10Clamped(v * v)).ToArray());
        r0.Color = Colors.Orange;
        r0.MarkerSize = 7;
        r0.MarkerShape = MarkerShape.OpenCircle;
        r0.LegendText = "residual at step 0";
        var rT = plot.Add.ScatterPoints(x, last.ResidualProjections.Select(v => Log10Clamped(v * v)).ToArray());
        rT.Color = Colors.Navy;
        rT.MarkerSize = 8;
        rT.LegendText = $"residual at step {last.Step}";
        var th = plot.Add.VerticalLine(Log10Clamped(last.Threshold));
        th.Color = Colors.Gray;
        th.LinePattern = LinePattern.Dashed;
        th.LegendText = "channel threshold";
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.UpperLeft);
        return Figure.Render(
            plot,
            "projections",
            "Squared projections on the eigenvectors of the final K_SS, against their eigenvalues. Right of the "
                + "dashed line is the channel: training removes the residual there and leaves it in the reservoir "
                + "(left). The open circles are the residual before training, in the same (final) basis."
        );
    }

    private static RenderedFigure TransferFigure(DemoResult r)
    {
        var last = r.Checkpoints[^1];
        var plot = Figure.NewPlot(
            "Instantaneous test transfer of each eigendirection",
            "eigenvalue λ_i of K_SS (final)",
            "‖K_QS v_i‖"
        );
        var x = last.Eigenvalues.Select(l => Log10Clamped(l, 1e-14 * last.Eigenvalues[0])).ToArray();
        var y = last.TransferNorms.Select(v => Log10Clamped(v)).ToArray();
        var s = plot.Add.ScatterPoints(x, y);
        s.Color = Colors.Navy;
        s.MarkerSize = 8;
        s.LegendText = "final checkpoint";
        var th = plot.Add.VerticalLine(Log10Clamped(last.Threshold));
        th.Color = Colors.Gray;
        th.LinePattern = LinePattern.Dashed;
        th.LegendText = "channel threshold";
        Figure.LogX(plot);
        Figure.LogY(plot);
        plot.ShowLegend(Alignment.UpperLeft);
        return Figure.Render(
            plot,
            "transfer",
            "How much one unit of output gradient along eigenvector v_i of K_SS moves the test outputs, ‖K_QS "
                + "v_i‖, "
                + "against λ_i: small-λ (reservoir) directions move the test set little."
        );
    }
}
