using System.Diagnostics;
using ScottPlot;
using Tangent.Kernels;
using Tangent.Kernels.LowRank;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Commands;

/// <summary><c>tangent ntk</c>: the eNTK of a configured model on given inputs, written to a run directory.</summary>
public static class NtkRun
{
    private static void RequireFinite(Tensor kernel, string name)
    {
        if (!kernel.isfinite().all().item<bool>())
            throw new InvalidOperationException(
                $"{name} has non-finite entries: the network's outputs or gradients overflow at these inputs "
                    + "(check --params and the scale of --inputs, or use --dtype float64)"
            );
    }

    /// <summary>Computes K_SS (and K_QS) and writes arrays, summary, metrics, a spectrum figure and the
    /// report.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> Run(
        NtkRunConfig settings,
        RunDirectory run,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        var dtype = settings.Dtype switch
        {
            "float64" => ScalarType.Float64,
            "float32" => ScalarType.Float32,
            _ => throw new ConfigException("--dtype", $"unknown dtype '{settings.Dtype}'", "use float32 or float64"),
        };
        var model = settings.BuildModel(dtype);
        bool script = settings.Config.Model.TakesShapedInputs();
        Tensor Load(string path, string field, IReadOnlyList<long>? like) =>
            (
                script
                    ? NpyInputs.LoadArray(path, field, like)
                    : NpyInputs.LoadMatrix(path, field, settings.Config.Model.Widths[0])
            ).to_type(dtype);
        using var xS = Load(settings.Inputs, "--inputs", null);
        using var xQ = settings.Query is null ? null : Load(settings.Query, "--query", xS.shape);
        int outputs = script
            ? ModelFactory.Probe(model, xS.shape, "--inputs").Outputs
            : settings.Config.Model.Widths[^1];
        var options = new NtkOptions
        {
            Method = settings.Method,
            Traced = settings.Traced,
            Parameters = settings.Parameters,
            Cancel = cancel,
        };
        try
        {
            Ntk.ParameterCount(model, options);
        }
        catch (ArgumentException e)
        {
            throw new ConfigException(
                "--parameters",
                e.Message,
                "pass state-dict names such as layers.0.weight or prefixes such as layers.2."
            );
        }

        if (settings.Rank is not null)
            return RunLowRank(settings, run, model, xS, options, progress);

        progress?.Report(new ProgressReport("K_SS", 0, $"n = {xS.shape[0]}, {settings.Method}"));
        var clock = Stopwatch.StartNew();
        using var kss = Ntk.Cross(model, xS, xS, options);
        double secondsSS = clock.Elapsed.TotalSeconds;
        RequireFinite(kss, "K_SS");
        double secondsQS = 0;
        Tensor? kqs = null;
        if (xQ is not null)
        {
            progress?.Report(new ProgressReport("K_QS", 0.5, $"m = {xQ.shape[0]}"));
            clock.Restart();
            kqs = Ntk.Cross(model, xQ, xS, options);
            secondsQS = clock.Elapsed.TotalSeconds;
            RequireFinite(kqs, "K_QS");
        }
        using var _kqs = kqs;
        cancel.ThrowIfCancellationRequested();
        progress?.Report(new ProgressReport("spectrum", 0.9, "eigvalsh(K_SS)"));
        using var eig = linalg.eigvalsh(kss.to_type(ScalarType.Float64)).flip(0);
        // Arrays are written only once every result exists, so a failed run holds none that look valid.
        run.WriteArray("K_SS", kss);
        if (kqs is not null)
            run.WriteArray("K_QS", kqs);
        run.WriteArray("K_SS_eigenvalues", eig);
        double[] lambda = eig.data<double>().ToArray();
        double trace = lambda.Sum();
        var (ruled, fallback) = settings.Method == NtkMethod.LayerwiseRules ? Ntk.Coverage(model, options) : ([], []);

        var summary = new List<KeyValuePair<string, object?>>
        {
            new("samples", xS.shape[0]),
            new("query_samples", xQ?.shape[0]),
            new("outputs", outputs),
            new("parameters", Ntk.ParameterCount(model, options)),
            new("kernel_size", kss.shape[0]),
            new("method", settings.Method.ToString()),
            new("traced", settings.Traced),
            new("dtype", settings.Dtype),
            new("trace_K_SS", trace),
            new("lambda_max", lambda[0]),
            new("lambda_min", lambda[^1]),
            new("effective_rank", trace / lambda[0]),
            new("seconds_K_SS", secondsSS),
            new("seconds_K_QS", xQ is null ? null : secondsQS),
            new("ruled_layers", ruled.Count),
            new("fallback_layers", fallback.Count),
        };
        run.WriteSummary(summary);
        run.WriteMetrics(
            ["step", "seconds_K_SS", "seconds_K_QS"],
            [
                [0, secondsSS, xQ is null ? null : secondsQS],
            ]
        );

        var plot = Figure.NewPlot("Spectrum of K_SS", "index i", "eigenvalue λ_i");
        var xs = Enumerable.Range(1, lambda.Length).Select(i => Math.Log10(i)).ToArray();
        var ys = lambda.Select(l => Math.Log10(Math.Max(Math.Abs(l), 1e-16 * Math.Max(lambda[0], 1e-300)))).ToArray();
        var line = plot.Add.Scatter(xs, ys);
        line.Color = Colors.Navy;
        line.MarkerSize = 4;
        line.LineWidth = 1.5f;
        Figure.LogX(plot);
        Figure.LogY(plot);
        var figure = Figure.Render(
            plot,
            "spectrum",
            "Eigenvalues of K_SS in decreasing order (both axes log-scaled; |λ| below 1e-16·λ_max drawn at that "
                + "floor)."
        );
        run.WriteFigure(figure.Name, figure.Svg, figure.Png);
        var report = new HtmlReport("Tangent ntk: empirical NTK")
            .Paragraph(
                $"Empirical NTK of {ModelText(settings.Config.Model, model)} on {xS.shape[0]} inputs from "
                    + $"{settings.Inputs}"
                    + (xQ is null ? "" : $" and {xQ.shape[0]} query inputs from {settings.Query}")
                    + $", method {settings.Method}, "
                    + (settings.Traced ? "traced over outputs" : "full output space, rows sample-major (i·p + c)")
                    + $", {settings.Dtype}."
            )
            .Paragraph(
                settings.Method == NtkMethod.LayerwiseRules
                    ? $"Layers with a rule: {string.Join(", ", ruled)}. Layers computed by per-row autograd: "
                        + $"{(fallback.Count == 0 ? "none" : string.Join(", ", fallback))}."
                    : "Every layer by the method above."
            )
            .Heading("Summary")
            .Summary(summary)
            .Figure(figure);
        run.WriteReport(report.Build());
        progress?.Report(new ProgressReport("done", 1, ""));
        return summary;
    }

    /// <summary>
    /// <c>--rank R</c>: the top-R eigenpairs of K_SS by Nyström (<see cref="Nystrom.Compute"/>), never forming
    /// K_SS; writes the eigenvalues, the eigenvectors [N × R], the landmarks and the certificate.
    /// </summary>
    private static IReadOnlyList<KeyValuePair<string, object?>> RunLowRank(
        NtkRunConfig settings,
        RunDirectory run,
        nn.Module<Tensor, Tensor> model,
        Tensor xS,
        NtkOptions options,
        IProgress<ProgressReport>? progress
    )
    {
        long n = xS.shape[0];
        int rank = settings.Rank!.Value;
        int landmarks = (int)Math.Min(n, settings.Landmarks ?? (2L * rank + 50));
        long outputs;
        using (no_grad())
            outputs = options.Traced ? 1 : model.call(xS.narrow(0, 0, 1)).reshape(1, -1).shape[1];
        ConfigException.Require(
            settings.Query is null,
            "--query",
            "K_QS is not computed with --rank",
            "drop --query, or drop --rank for the dense kernels"
        );
        ConfigException.Require(
            settings.Landmarks is null || (settings.Landmarks >= 1 && settings.Landmarks <= n),
            "--landmarks",
            $"must be in [1, {n}] (the inputs), got {settings.Landmarks}",
            "use e.g. 2R + 50"
        );
        ConfigException.Require(
            rank >= 1 && rank <= landmarks * outputs,
            "--rank",
            $"must be in [1, {landmarks * outputs}] (the landmarks' rows), got {rank}",
            "lower --rank or raise --landmarks"
        );
        ConfigException.Require(
            settings.Probes >= 0,
            "--probes",
            $"must be at least 0, got {settings.Probes}",
            "use 4"
        );
        ConfigException.Require(
            settings.Refine >= 0,
            "--refine",
            $"must be at least 0, got {settings.Refine}",
            "use 2"
        );
        progress?.Report(new ProgressReport("Nyström", 0, $"n = {n}, {landmarks} landmarks, rank {rank}"));
        var clock = Stopwatch.StartNew();
        using var low = Nystrom.Compute(
            model,
            xS,
            options,
            new NystromOptions
            {
                Rank = rank,
                Landmarks = landmarks,
                Probes = settings.Probes,
                Refinements = settings.Refine,
                Seed = settings.Config.Seed,
            }
        );
        double seconds = clock.Elapsed.TotalSeconds;
        var cert = low.Certificate;
        run.WriteArray("K_SS_eigenvalues", low.Values);
        run.WriteArray("K_SS_eigenvectors", low.Vectors);
        run.WriteArray("landmarks", low.Landmarks.Select(i => (double)i).ToArray(), low.Landmarks.Length);
        double[] lambda = low.Values.data<double>().ToArray();
        string text = cert.Text(rank, landmarks);
        var summary = new List<KeyValuePair<string, object?>>
        {
            new("samples", n),
            new("outputs", settings.Traced ? 1 : outputs),
            new("parameters", Ntk.ParameterCount(model, options)),
            new("kernel_size", low.Vectors.shape[0]),
            new("method", settings.Method.ToString()),
            new("traced", settings.Traced),
            new("dtype", settings.Dtype),
            new("approximation", "nystrom"),
            new("rank", rank),
            new("landmarks", landmarks),
            new("refinements", settings.Refine),
            new("ritz_residual", settings.Refine > 0 ? cert.Residual : null),
            new("trace_K_SS", cert.TraceK),
            new("trace_nystrom", cert.TraceNystrom),
            new("lambda_max", lambda[0]),
            new("lambda_r", cert.LastKept),
            new("error_bound", cert.ErrorBound),
            new("probe_estimate", settings.Probes > 0 ? cert.ProbeEstimate : null),
            new("channel_threshold", cert.Threshold),
            new("channel_captured", cert.Captured),
            new("rank_needed", cert.RankNeeded),
            new("channel_dimension", cert.ChannelDimension),
            new("certificate", text),
            new("seconds", seconds),
        };
        run.WriteSummary(summary);
        var curve = new CurveFigure
        {
            Name = "spectrum",
            Title = "Top of the spectrum of K_SS (Nyström)",
            XLabel = "index i",
            YLabel = "eigenvalue λ̃_i",
            Caption =
                $"The top {rank} eigenvalues of the Nyström approximation (solid), the channel threshold λ⋆ and the "
                + "certificate's bound on ‖K − K̃‖₂ (dashed). Log–log.",
            X = Enumerable.Range(1, lambda.Length).Select(i => (double)i).ToList(),
            LogX = true,
            LogY = true,
            Floor = 1e-16 * Math.Max(lambda[0], 1e-300),
            Curves =
            [
                new("λ̃_i", Colors.Navy, lambda),
                new("λ⋆", Colors.Crimson, lambda.Select(_ => cert.Threshold).ToList(), true),
                new("bound on ‖K − K̃‖₂", Colors.Gray, lambda.Select(_ => cert.ErrorBound).ToList(), true),
            ],
        }.Render();
        run.WriteFigure(curve.Name, curve.Svg, curve.Png);
        var report = new HtmlReport("Tangent ntk: empirical NTK, low rank")
            .Paragraph(
                $"Empirical NTK of {ModelText(settings.Config.Model, model)} on {n} inputs from {settings.Inputs}, "
                    + (settings.Traced ? "traced over outputs" : "full output space, rows sample-major (i·p + c)")
                    + $", kept as its top {rank} eigenpairs: the Nyström approximation K̃ = C W⁺ Cᵀ from the cross "
                    + $"kernel to {landmarks} random landmark samples"
                    + (
                        settings.Refine > 0
                            ? $", refined by {settings.Refine} exact block products (a block Krylov space and "
                                + "Rayleigh–Ritz with K, streamed in tiles)"
                            : ""
                    )
                    + ". K_SS itself was never formed."
            )
            .Paragraph("Certificate: " + text + ".")
            .Heading("Summary")
            .Summary(summary)
            .Figure(curve);
        run.WriteReport(report.Build());
        progress?.Report(new ProgressReport("done", 1, ""));
        return summary;
    }

    private static string ModelText(MlpConfig config, nn.Module<Tensor, Tensor> model) =>
        config.Type switch
        {
            "torchscript" => $"the TorchScript module {config.Path} ({model.parameters().Sum(p => p.numel())} "
                + "parameters)",
            "cnn" => $"a CNN with channels {string.Join("→", config.Widths.SkipLast(1))}, {config.KernelSize}×"
                + $"{config.KernelSize} convolutions, {config.Pool} pooling{(config.Residual ? ", residual" : "")} "
                + $"and a linear head to {config.Widths[^1]} outputs",
            _ => $"a {string.Join("→", config.Widths)} {config.Activation} MLP ({config.Parameterization} "
                + "parameterization)",
        };
}
