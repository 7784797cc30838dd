using System.Diagnostics;
using ScottPlot;
using Tangent.Kernels;
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
