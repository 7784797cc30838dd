using ScottPlot;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Theory;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// The network part of the benign-overfitting study (issue 7, study 1): ReLU networks trained by gradient descent to
/// zero training error on noisy Fashion-MNIST (binary and ten-class) and on the 1-D toy; the four cells of THEORY §3
/// from the path operators; kernel regression with the network's own (final) kernel against eigenlearning and
/// Bartlett's effective ranks; and the Mallinar classification of the network from its size sweep.
/// </summary>
internal static class BenignOverfittingNetworks
{
    /// <summary>One trained network and what was derived from it.</summary>
    internal sealed record Cell(
        string Task,
        int N,
        double Noise,
        double TrainMetric,
        double TestError,
        bool Interpolated,
        FourCells? Cells,
        int ChannelDim,
        double KernelDrift,
        double KrrMeasured,
        double KrrPredicted,
        int KStar,
        double BigRAtKStar,
        double KrrTestError
    );

    private static readonly string[] Tasks = ["binary", "ten-class", "toy"];

    /// <summary>Runs the network part; the kernel part's ReLU-NTK rows (n, noisy error, clean error) let the taxonomies
    /// be compared.</summary>
    public static (List<Verdict> Verdicts, List<KeyValuePair<string, object?>> Summary) Run(
        BenignNetworkConfig c,
        BenignOverfittingConfig parent,
        string ntkClass,
        IReadOnlyList<(int N, double NoisyError, double CleanError)> ntkRows,
        RunDirectory run,
        HtmlReport report,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        ConfigException.Require(
            c.NoiseLevels.Count >= 2
                && c.NoiseLevels.Contains(0)
                && c.NoiseLevels.Contains(c.SweepNoise)
                && c.NoiseLevels.All(v => v is >= 0 and < 1),
            "networks.noise_levels",
            $"need 0 and sweep_noise ({c.SweepNoise}) among levels in [0, 1)",
            "use e.g. [0, 0.1, 0.2, 0.4]"
        );
        ConfigException.Require(
            c.SampleSizes.Count >= 3 && c.SampleSizes.All(n => n >= 20),
            "networks.sample_sizes",
            "need at least three sizes ≥ 20 for a trend",
            "use e.g. [500, 1000, 2000, 4000]"
        );
        ConfigException.Require(
            c.Samples >= 20
                && c.Width >= 1
                && c.LrFraction is > 0 and < 2
                && c.ToyLrFraction is > 0 and < 2
                && c.StepsPerSample > 0
                && c.Snapshots >= 2,
            "networks",
            "needs samples ≥ 20, width ≥ 1, lr fractions in (0, 2), steps_per_sample > 0, snapshots ≥ 2",
            "use the preset values"
        );
        var plan = new List<(string Task, int N, double Noise)>();
        foreach (double v in c.NoiseLevels)
            plan.Add(("binary", c.Samples, v));
        foreach (int n in c.SampleSizes)
        foreach (double v in new[] { 0, c.SweepNoise })
            if (!plan.Contains(("binary", n, v)))
                plan.Add(("binary", n, v));
        if (c.TenClass)
            foreach (double v in c.TenClassNoiseLevels.Count > 0 ? c.TenClassNoiseLevels : c.NoiseLevels)
                plan.Add(("ten-class", c.Samples, v));
        foreach (double v in c.NoiseLevels)
            plan.Add(("toy", c.ToySamples, v));

        var cells = new List<Cell>();
        foreach (var (task, n, noise) in plan)
        {
            cancel.ThrowIfCancellationRequested();
            progress?.Report(
                new ProgressReport("networks", cells.Count / (double)plan.Count, $"{task}, n = {n}, noise {noise:P0}")
            );
            cells.Add(TrainOne(c, parent, task, n, noise, run, cancel));
        }

        // Verdicts.
        Cell Find(string task, int n, double noise) => cells.First(x => x.Task == task && x.N == n && x.Noise == noise);
        var at = Find("binary", c.Samples, c.SweepNoise);
        var clean = Find("binary", c.Samples, 0);
        var failed = cells.Where(x => !x.Interpolated && x.Task != "toy").ToList();
        var toys = cells.Where(x => x.Task == "toy" && x.Noise > 0).ToList();
        var sweep = c
            .SampleSizes.OrderBy(n => n)
            .Select(n => (N: n, Cost: Find("binary", n, c.SweepNoise).TestError - Find("binary", n, 0).TestError))
            .ToList();
        var tail = sweep.TakeLast(3).ToList();
        double slope = Statistics.Slope(
            tail.Select(x => Math.Log(x.N)).ToArray(),
            tail.Select(x => Math.Log(Math.Max(x.Cost, 1e-3))).ToArray()
        );
        string netClass =
            slope < -parent.SlopeTolerance ? "benign"
            : slope > parent.SlopeTolerance ? "catastrophic"
            : "tempered";
        var krr = cells.Where(x => x.Task == "binary" && x.N == c.Samples).ToList();
        double KrrError(Cell x) => Math.Abs(x.KrrMeasured - x.KrrPredicted) / x.KrrMeasured;
        double worstKrr = krr.Max(KrrError);
        double kOverN = at.KStar < 0 ? double.PositiveInfinity : at.KStar / (double)at.N;
        double nOverR = at.KStar < 0 ? double.PositiveInfinity : at.N / at.BigRAtKStar;
        bool bartlett = kOverN <= c.BartlettTolerance && nOverR <= c.BartlettTolerance;
        string Pct(double v) => v.ToString("P1", System.Globalization.CultureInfo.InvariantCulture);
        var verdicts = new List<Verdict>
        {
            new(
                "networks_interpolate",
                "The Fashion-MNIST networks are trained to zero training error (the setting of benign overfitting)",
                (
                    failed.Count == 0
                        ? $"all {cells.Count - toys.Count - 1} image networks reach 100 % train accuracy"
                        : $"{failed.Count} did not: "
                            + string.Join(
                                "; ",
                                failed
                                    .Take(4)
                                    .Select(x => $"{x.Task} n = {x.N} noise {x.Noise:P0} (train {x.TrainMetric:P2})")
                            )
                )
                    + "; 1-D toy (reported, not required): train MSE "
                    + string.Join(
                        ", ",
                        toys.Select(x => $"{x.TrainMetric:G2} at noise variance {x.Noise * x.Noise:G2}")
                    ),
                "every image network",
                failed.Count == 0
            ),
            new(
                "network_noise_in_reservoir",
                "The label noise a network memorizes lies in the reservoir of its path Gramian W_S (THEORY §3); "
                    + $"binary, n = {c.Samples}, {c.SweepNoise:P0} noise",
                at.Cells is { } ac
                    ? $"{Pct(ac.NoiseReservoirShare)} of ‖ε‖² in the reservoir, {Pct(ac.NoiseChannelShare)} "
                        + "in the "
                        + $"channel ({at.ChannelDim} of {at.N} directions at λ⋆)"
                    : "no noise recorded",
                "more than half in the reservoir",
                at.Cells?.NoiseReservoirShare > 0.5
            ),
            new(
                "network_reservoir_noise_invisible",
                "The reservoir's noise does not reach the test outputs: G_Q Π_res ε ≈ 0 (THEORY §3)",
                at.ChannelDim >= at.N
                        ? $"the reservoir at λ⋆ is empty (channel {at.ChannelDim} of {at.N}): nothing to be "
                            + "invisible"
                    : at.Cells is { } bc
                        ? $"reservoir share of the noise's test effect {Pct(bc.ReservoirShareOfNoiseTestEffect)} "
                            + $"(‖G_Q Π_res ε‖/n = {bc.NoiseReservoirTestEffect:G3}, channel "
                            + $"{bc.NoiseChannelTestEffect:G3})"
                    : "no noise recorded",
                $"at most {c.InvisibleShare:P0}; undecided when the reservoir is empty",
                at.ChannelDim >= at.N ? null : at.Cells?.ReservoirShareOfNoiseTestEffect <= c.InvisibleShare
            ),
            new(
                "network_benign_at_fixed_n",
                $"Interpolating {c.SweepNoise:P0} label noise costs the network little held-out accuracy (benign "
                    + "overfitting, the theory's claim)",
                $"held-out error {clean.TestError:P1} without noise, {at.TestError:P1} with (n = {c.Samples})",
                $"increase ≤ {c.BenignExcess:P0} (absolute)",
                at.TestError - clean.TestError <= c.BenignExcess
            ),
            new(
                "network_taxonomy_matches_ntk",
                "As n grows, the trained network falls in the same class as its infinite-width NTK (Mallinar et al. "
                    + "2022)",
                $"network: {netClass} (log–log slope {slope:F2} of the noise cost "
                    + $"{string.Join(", ", sweep.Select(x => $"{x.Cost:P1} at {x.N}"))}); ReLU NTK (kernel part): "
                    + $"{ntkClass}",
                $"same class (|slope| ≤ {parent.SlopeTolerance}: tempered)",
                netClass == ntkClass
            ),
            new(
                "network_kernel_eigenlearning",
                "Ridgeless regression with the trained network's own kernel is predicted by eigenlearning (Simon et "
                    + "al. 2023)",
                $"worst relative error {worstKrr:P1} over noise "
                    + string.Join(", ", krr.Select(x => $"{x.Noise:P0}: {x.KrrMeasured:G3} vs {x.KrrPredicted:G3}")),
                $"within {c.EigenlearningTolerance:P0}",
                worstKrr <= c.EigenlearningTolerance
            ),
            new(
                "network_kernel_bartlett_benign",
                "The trained network's kernel spectrum meets Bartlett et al.'s conditions for benign overfitting "
                    + "(k*/n and n/R_k* small)",
                at.KStar < 0
                    ? $"no k with r_k ≥ n (k* undefined): the tail is too light for benign overfitting"
                    : $"k* = {at.KStar}, k*/n = {kOverN:G3}, n/R_k* = {nOverR:G3}",
                $"both ≤ {c.BartlettTolerance}",
                bartlett
            ),
        };

        // Table, figures and summary.
        run.WriteTable(
            "networks.csv",
            [
                "task",
                "n",
                "noise",
                "train_metric",
                "test_error",
                "interpolated",
                "noise_reservoir_share",
                "noise_test_effect_reservoir_share",
                "channel_dim",
                "kernel_drift",
                "krr_clean_mse",
                "krr_clean_mse_eigenlearning",
                "krr_test_error",
                "k_star",
            ],
            cells.Select(x =>
                (IReadOnlyList<double?>)
                    [
                        Array.IndexOf(Tasks, x.Task),
                        x.N,
                        x.Noise,
                        x.TrainMetric,
                        x.TestError,
                        x.Interpolated ? 1 : 0,
                        x.Cells?.NoiseReservoirShare,
                        x.Cells?.ReservoirShareOfNoiseTestEffect,
                        x.ChannelDim,
                        x.KernelDrift,
                        x.KrrMeasured,
                        x.KrrPredicted,
                        x.KrrTestError,
                        x.KStar,
                    ]
            )
        );
        var figures = Figures(c, cells, sweep, ntkRows, netClass, ntkClass);
        foreach (var f in figures)
            run.WriteFigure(f.Name, f.Svg, f.Png);
        report
            .Heading("Networks trained to zero training error")
            .Paragraph(
                $"Binary: {FashionMnist.Classes[parent.Classes[0]]} (+1) against "
                    + $"{FashionMnist.Classes[parent.Classes[1]]} (−1), one output; ten-class: one-hot targets. "
                    + $"Images average-pooled {c.Pool}×{c.Pool}, ZCA-whitened (floor {c.Whiten}·mean eigenvalue) "
                    + "and standardized; network "
                    + (
                        c.Model is { } m
                            ? $"{m.Type} (widths {string.Join(", ", m.Widths)}, {m.Parameterization} parameterization; "
                                + "first and last widths set by the task); "
                            : $"{FashionMnist.Pixels / (c.Pool * c.Pool)} → {c.Width} → outputs, ReLU, NTK "
                                + "parameterization; "
                    )
                    + $"full-batch gradient descent on ½-MSE, η = {c.LrFraction}·n/λ_max(K_SS(w₀)), T = "
                    + $"{c.StepsPerSample}·n steps, {c.Snapshots} log-spaced traced kernel snapshots per run, "
                    + "analyzed with the path operators "
                    + "(channel: λ(W_S) ≥ λ⋆). Label noise changes a share of training labels to another class. "
                    + $"The 1-D toy is the demo's sine regression, n = {c.ToySamples}, Gaussian noise of std = "
                    + "the level. "
                    + "Kernel regression uses the trained network's kernel: ridgeless fit on the training set; "
                    + "eigenlearning from the kernel's spectrum on the pool of training and held-out inputs; "
                    + "both measured against the noisy labels' conditional mean (the shrunk clean target)."
            )
            .Table(
                [
                    "task",
                    "n",
                    "noise",
                    "train",
                    "held-out error (toy: MSE)",
                    "noise in reservoir",
                    "reservoir share of noise's test effect",
                    "channel",
                    "kernel drift",
                    "KRR, network kernel",
                    "eigenlearning",
                ],
                cells.Select(x =>
                    (IReadOnlyList<string>)
                        [
                            x.Task,
                            $"{x.N}",
                            $"{x.Noise:G2}",
                            HtmlReport.Number(x.TrainMetric),
                            HtmlReport.Number(x.TestError),
                            x.Cells is null ? "" : HtmlReport.Number(x.Cells.NoiseReservoirShare),
                            x.Cells is null ? "" : HtmlReport.Number(x.Cells.ReservoirShareOfNoiseTestEffect),
                            $"{x.ChannelDim}",
                            HtmlReport.Number(x.KernelDrift),
                            HtmlReport.Number(x.KrrMeasured),
                            HtmlReport.Number(x.KrrPredicted),
                        ]
                )
            );
        foreach (var f in figures)
            report.Figure(f);
        report.Paragraph(
            "Every network's run (metrics, kernel snapshots, path-operator analysis and report) is in "
                + "networks/<task>-n<n>-noise<level>/."
        );

        var summary = new List<KeyValuePair<string, object?>>
        {
            new("network_class", netClass),
            new("network_noise_cost_slope", slope),
            new("network_noise_reservoir_share", at.Cells?.NoiseReservoirShare),
            new("network_noise_test_effect_reservoir_share", at.Cells?.ReservoirShareOfNoiseTestEffect),
            new("network_test_error_clean", clean.TestError),
            new("network_test_error_noisy", at.TestError),
            new("network_kernel_eigenlearning_worst_rel_error", worstKrr),
            new("network_kernel_k_star", at.KStar),
        };
        foreach (var task in Tasks)
        foreach (var x in cells.Where(x => x.Task == task && (task != "binary" || x.N == c.Samples)))
            summary.Add(new($"{task.Replace('-', '_')}_test_error_noise_{x.Noise:G2}".Replace('.', '_'), x.TestError));
        return (verdicts, summary);
    }

    /// <summary>Trains, records and analyzes one network, then runs kernel regression with its final kernel.</summary>
    private static Cell TrainOne(
        BenignNetworkConfig c,
        BenignOverfittingConfig parent,
        string task,
        int n,
        double noise,
        RunDirectory run,
        CancellationToken cancel
    )
    {
        bool toy = task == "toy";
        var taskConfig = toy
            ? new TaskConfig
            {
                Kind = "sine",
                TrainSamples = n,
                TestSamples = 200,
                NoiseStd = noise,
            }
            : new TaskConfig
            {
                Kind = "fashion-mnist",
                Data = parent.Data,
                Classes = task == "binary" ? parent.Classes : [],
                TrainSamples = n,
                TestSamples = c.TestSamples,
                LabelNoise = noise,
                Pool = c.Pool,
                Whiten = c.Whiten,
                Images = c.Model?.Type == "cnn",
            };
        int outputs = taskConfig.OutputDimension;
        int steps = toy ? c.ToySteps : (int)Math.Ceiling(c.StepsPerSample * n);
        var train = new TrainConfig
        {
            Task = taskConfig,
            Model =
                !toy && c.Model is { } custom
                    ? custom with
                    {
                        Widths =
                        [
                            custom.Type == "cnn" ? 1 : taskConfig.InputDimension,
                            .. custom.Widths.Skip(1).SkipLast(1),
                            outputs,
                        ],
                    }
                    : new MlpConfig
                    {
                        Widths = [taskConfig.InputDimension, toy ? c.ToyWidth : c.Width, outputs],
                        WeightStd = Math.Sqrt(2),
                        BiasStd = 0.1,
                    },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 1 },
            Steps = steps,
            LogEvery = Math.Max(1, steps / 50),
            Seed = parent.Seed,
            RiskEstimate = false,
            Record = new RecordConfig
            {
                Schedule = "log",
                Count = c.Snapshots,
                Traced = true,
            },
        }.Validate();
        train = train with
        {
            Optimizer = train.Optimizer with { Lr = StableStep.Of(train, toy ? c.ToyLrFraction : c.LrFraction) },
        };
        var sub = Runner.RunArm(
            run,
            new Arm($"networks/{task}-n{n}-noise{noise:G2}", new RunSpec { Config = train, Analysis = new() }),
            cancel
        );
        double trainMetric = sub.Number(toy ? "final_train_mse" : "final_train_accuracy");
        double testError = toy ? sub.Number("final_test_mse") : 1 - sub.Number("final_test_accuracy");
        bool interpolated = toy ? noise == 0 || trainMetric <= 0.1 * noise * noise : trainMetric >= 1;

        // Kernel regression with the trained network's kernel (traced over outputs) on the training set, against
        // eigenlearning from the kernel's spectrum on the pool of training and held-out inputs (the empirical stand-in
        // for the population operator).
        using var scope = NewDisposeScope();
        using var data = taskConfig.Create(parent.Seed);
        var model = sub.Model;
        var pool = cat(new[] { data.TrainX, data.TestX }, 0);
        Tensor kernel;
        using (var k = Ntk.Compute(model, pool, options: new NtkOptions { Traced = true }))
            kernel = k.Kss.to_type(ScalarType.Float64).clone();
        var (meanS, noiseVar) = ConditionalMean(task, data.TrainClean, noise);
        var (meanQ, _) = ConditionalMean(task, data.TestY, noise);
        var kss = kernel[TensorIndex.Slice(0, n), TensorIndex.Slice(0, n)];
        var kqs = kernel[TensorIndex.Slice(n, null), TensorIndex.Slice(0, n)];
        double ridge = 1e-8 * kss.trace().item<double>() / n;
        var f = KernelRegression.Predict(kss, kqs, data.TrainY, ridge);
        double measured = (f - meanQ).Squared().sum(1).mean().item<double>();
        double krrError = toy
            ? measured
            : (outputs == 1 ? f.sign().ne(data.TestY.sign()) : f.argmax(1).ne(data.TestY.argmax(1)))
                .to_type(ScalarType.Float64)
                .mean()
                .item<double>();
        long size = pool.shape[0];
        var (lambda, vectors) = linalg.eigh(kernel / size);
        var eig = lambda.clamp_min(0).data<double>().ToArray();
        var meanPool = cat(new[] { meanS, meanQ }, 0);
        double predicted = 0;
        for (int j = 0; j < outputs; j++)
        {
            var v = (vectors.T.matmul(meanPool[TensorIndex.Colon, j]) / Math.Sqrt(size)).data<double>().ToArray();
            predicted += Eigenlearning.Predict(eig, v, n, ridge, noiseVar[j]).CleanTestMse(noiseVar[j]);
        }
        var ranks = BenignOverfitting.Ranks(eig, n);
        return new Cell(
            task,
            n,
            noise,
            trainMetric,
            testError,
            interpolated,
            noise > 0 ? sub.Paths.Cells : null,
            sub.Paths.ChannelDim,
            sub.Paths.KernelDriftFrobenius,
            measured,
            predicted,
            ranks.KStar,
            ranks.KStar >= 0 ? ranks.LargeR[ranks.KStar] : double.NaN,
            krrError
        );
    }

    /// <summary>
    /// m(x) = E[noisy target | clean target] and the average noise variance per output: two classes ±1 flip with
    /// probability ν, m = (1 − 2ν)y, variance 1 − m²; k one-hot classes change to one of the k − 1 others, m =
    /// (1 − ν)y + ν(1 − y)/(k − 1), variance m − m²; the toy's Gaussian noise leaves m = y with variance
    /// ν².
    /// </summary>
    private static (Tensor Mean, double[] Variance) ConditionalMean(string task, Tensor clean, double noise)
    {
        if (task == "toy")
            return (clean, [noise * noise]);
        long k = clean.shape[1];
        var m = k == 1 ? (1 - 2 * noise) * clean : (1 - noise) * clean + noise / (k - 1) * (1 - clean);
        var variance = (k == 1 ? 1 - m.Squared() : m - m.Squared()).mean(new long[] { 0 }).data<double>().ToArray();
        return (m, variance);
    }

    private static RenderedFigure[] Figures(
        BenignNetworkConfig c,
        List<Cell> cells,
        List<(int N, double Cost)> sweep,
        IReadOnlyList<(int N, double NoisyError, double CleanError)> ntkRows,
        string netClass,
        string ntkClass
    )
    {
        var palette = new Dictionary<string, Color>
        {
            ["binary"] = Colors.Navy,
            ["ten-class"] = Colors.Crimson,
            ["toy"] = Colors.SeaGreen,
        };
        var error = Figure.NewPlot(
            "Held-out error of interpolating networks against label noise",
            "label noise (share changed; toy: noise std)",
            "held-out error (toy: MSE)"
        );
        var shares = Figure.NewPlot("Where the memorized noise lies (four cells, THEORY §3)", "label noise", "share");
        var krr = Figure.NewPlot(
            "Kernel regression with the network's kernel: measured against eigenlearning",
            "label noise",
            "MSE against the shrunk clean target"
        );
        foreach (var task in Tasks)
        {
            var rows = cells
                .Where(x => x.Task == task && (task != "binary" || x.N == c.Samples))
                .OrderBy(x => x.Noise)
                .ToList();
            if (rows.Count == 0)
                continue;
            var noise = rows.Select(x => x.Noise).ToArray();
            var e = error.Add.Scatter(noise, rows.Select(x => x.TestError).ToArray());
            e.Color = palette[task];
            e.LineWidth = 2.5f;
            e.LegendText = $"{task} network (n = {rows[0].N})";
            var k = error.Add.ScatterLine(noise, rows.Select(x => x.KrrTestError).ToArray());
            k.Color = palette[task];
            k.LinePattern = LinePattern.Dashed;
            k.LineWidth = 2;
            k.LegendText = $"{task}: KRR with the network's kernel";
            var noisy = rows.Where(x => x.Cells is not null).ToList();
            if (noisy.Count > 0)
            {
                var a = shares.Add.Scatter(
                    noisy.Select(x => x.Noise).ToArray(),
                    noisy.Select(x => x.Cells!.NoiseReservoirShare).ToArray()
                );
                a.Color = palette[task];
                a.LineWidth = 2.5f;
                a.LegendText = $"{task}: ‖Π_res ε‖²/‖ε‖²";
                var b = shares.Add.ScatterLine(
                    noisy.Select(x => x.Noise).ToArray(),
                    noisy.Select(x => x.Cells!.ReservoirShareOfNoiseTestEffect).ToArray()
                );
                b.Color = palette[task];
                b.LinePattern = LinePattern.Dashed;
                b.LineWidth = 2;
                b.LegendText = $"{task}: reservoir share of the noise's test effect";
            }
            var m = krr.Add.Scatter(noise, rows.Select(x => x.KrrMeasured).ToArray());
            m.Color = palette[task];
            m.LineWidth = 0;
            m.MarkerSize = 9;
            m.LegendText = $"{task}: measured";
            var p = krr.Add.ScatterLine(noise, rows.Select(x => x.KrrPredicted).ToArray());
            p.Color = palette[task];
            p.LineWidth = 2;
            p.LegendText = $"{task}: eigenlearning";
        }
        error.ShowLegend(Alignment.UpperRight);
        shares.Axes.SetLimitsY(0, 1.02);
        shares.ShowLegend(Alignment.LowerRight);
        krr.ShowLegend(Alignment.UpperLeft);
        var size = Figure.NewPlot(
            $"Cost of {c.SweepNoise:P0} label noise against n: network and its infinite-width NTK",
            "training samples n",
            "held-out error (noisy) − (clean)"
        );
        var net = size.Add.Scatter(
            sweep.Select(x => Math.Log10(x.N)).ToArray(),
            sweep.Select(x => Math.Log10(Math.Max(x.Cost, 1e-3))).ToArray()
        );
        net.Color = Colors.Navy;
        net.LineWidth = 2.5f;
        net.LegendText = $"trained network ({netClass})";
        var ntk = size.Add.ScatterLine(
            ntkRows.Select(x => Math.Log10(x.N)).ToArray(),
            ntkRows.Select(x => Math.Log10(Math.Max(x.NoisyError - x.CleanError, 1e-3))).ToArray()
        );
        ntk.Color = Colors.SeaGreen;
        ntk.LineWidth = 2;
        ntk.LinePattern = LinePattern.Dashed;
        ntk.LegendText = $"ReLU NTK regression, kernel part ({ntkClass})";
        Figure.LogX(size);
        Figure.LogY(size);
        size.ShowLegend(Alignment.UpperRight);
        return
        [
            Figure.Render(
                error,
                "network_error_vs_noise",
                "Held-out error of the trained networks (solid) and of ridgeless regression with each trained "
                    + "network's kernel (dashed), against label noise."
            ),
            Figure.Render(
                shares,
                "network_four_cells",
                "Share of the label noise ε in the reservoir of W_S (solid) and the reservoir's share of the "
                    + "noise's effect on test outputs through G_Q (dashed). The theory expects both near 1 and 0 "
                    + "respectively."
            ),
            Figure.Render(
                krr,
                "network_kernel_eigenlearning",
                "Ridgeless regression with the network's final kernel: measured error against the noisy labels' "
                    + "conditional mean (markers) and the eigenlearning prediction from the kernel's spectrum (lines)."
            ),
            Figure.Render(
                size,
                "network_noise_cost_vs_n",
                "Held-out error with noise minus without, against n (log–log): flat is tempered, falling benign, "
                    + "rising catastrophic (Mallinar et al. 2022). Floor at 10⁻³."
            ),
        ];
    }
}
