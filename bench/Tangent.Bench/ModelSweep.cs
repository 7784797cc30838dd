using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tangent.Kernels;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Bench;

/// <summary>
/// The eNTK cost of the built-in CNN and transformer per method, in one run: seconds (best of three), the rate of a
/// stated FLOP count, its share of this machine's float32 GEMM rate measured at the start, and the child process's
/// peak memory (VmHWM). CNN: widths [1, 16, 32, 10] on Fashion-MNIST-shaped inputs [n, 1, 28, 28]; transformer:
/// Power et al.'s [98, 128, 97], 2 layers, 4 heads, on sequences [n, 3]. Float32, Gaussian images, uniform tokens.
/// </summary>
/// <remarks>
/// FLOP count, the same for every method so the rates compare: the Gram of a dense Jacobian J [n·p′, P],
/// 2(n·p′)²P with p′ = p for the full output space; traced, the p per-output Grams, 2n²pP. The layer rules do
/// less work than this (they never form J), the Jacobian method about this much plus n·p′ backward passes.
/// </remarks>
public static class ModelSweep
{
    private sealed record Case(string Model, int N, string Mode, string Method);

    private static readonly string[] Methods = ["rules", "jacobian", "vector-products"];

    /// <summary>Runs every case, or those of the models named in <paramref name="only"/> (cnn, transformer).</summary>
    public static void Run(TextWriter output, IReadOnlyCollection<string> only)
    {
        double peak = EntkSweep.GemmPeak(ScalarType.Float32);
        output.WriteLine($"float32 GEMM: {peak / 1e9:F1} GFLOP/s on {get_num_threads()} threads");
        output.WriteLine("| model | n | mode | method | seconds | GFLOP/s | share of fp32 GEMM | peak MB |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        Case[] cases =
        [
            .. new[] { 128, 256 }.SelectMany(n => Modes(n, "cnn")),
            .. new[] { 32, 128 }.SelectMany(n => Modes(n, "transformer")),
        ];
        foreach (var c in cases.Where(c => only.Count == 0 || only.Contains(c.Model)))
        {
            var (seconds, peakMb, note) = Child(c);
            double flops = Flops(c);
            output.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {c.Model} | {c.N} | {c.Mode} | {c.Method} | {seconds:F3} | {flops / seconds / 1e9:F1} | "
                        + $"{flops / seconds / peak:P0} | {peakMb:F0} |{(note is null ? "" : " " + note)}"
                )
            );
        }
    }

    /// <summary>The cases of one model and n: traced always; full output space while n·p stays below 6,500; the
    /// Jacobian method while its n·p backward passes stay below 3,200; the dense vector-product method while n·p′
    /// stays below 256 (two passes over all n inputs per column).</summary>
    private static IEnumerable<Case> Modes(int n, string model)
    {
        int p = model == "cnn" ? 10 : 97;
        foreach (var mode in new[] { "trace", "full" })
        {
            int rows = mode == "full" ? n * p : n;
            if (mode == "full" && n * p > 6500)
                continue;
            foreach (var method in Methods)
                if ((method != "vector-products" || rows <= 256) && (method != "jacobian" || n * p <= 3200))
                    yield return new Case(model, n, mode, method);
        }
    }

    private static MlpConfig Config(string model) =>
        model == "cnn"
            ? new MlpConfig
            {
                Type = "cnn",
                Widths = [1, 16, 32, 10],
                Parameterization = Parameterization.Standard,
                WeightStd = Math.Sqrt(2),
            }
            : new MlpConfig
            {
                Type = "transformer",
                Widths = [98, 128, 97],
                Layers = 2,
                Heads = 4,
                Tokens = 3,
            };

    private static double Flops(Case c)
    {
        var config = Config(c.Model);
        double p = config.Widths[^1],
            parameters = config.ParameterCount();
        return c.Mode == "full" ? 2 * Math.Pow(c.N * p, 2) * parameters : 2.0 * c.N * c.N * p * parameters;
    }

    public static void RunOne(TextWriter output, string[] args)
    {
        var c = new Case(
            EntkSweep.Arg(args, "--model"),
            int.Parse(EntkSweep.Arg(args, "--n"), CultureInfo.InvariantCulture),
            EntkSweep.Arg(args, "--mode"),
            EntkSweep.Arg(args, "--method")
        );
        var model = ModelFactory.Create(Config(c.Model), new Generator(0), ScalarType.Float32);
        var g = new Generator(1);
        using var x =
            c.Model == "cnn"
                ? randn(new long[] { c.N, 1, 28, 28 }, dtype: ScalarType.Float32, generator: g)
                : randint(0, 98, new long[] { c.N, 3 }, generator: g).to_type(ScalarType.Float32);
        var options = new NtkOptions
        {
            Traced = c.Mode == "trace",
            Method = c.Method switch
            {
                "jacobian" => NtkMethod.JacobianContraction,
                "vector-products" => NtkMethod.NtkVectorProducts,
                _ => NtkMethod.LayerwiseRules,
            },
        };
        double best = double.MaxValue;
        for (int r = 0; r < 3; r++)
        {
            var clock = Stopwatch.StartNew();
            using (var k = Ntk.Cross(model, x, x, options)) { }
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
            if (best > 60)
                break;
        }
        output.WriteLine(JsonSerializer.Serialize(new { seconds = best, peak_mb = EntkSweep.PeakRssMb() }));
    }

    private static (double Seconds, double PeakMb, string? Note) Child(Case c)
    {
        var (line, error) = EntkSweep.RunChild([
            "models-one",
            "--model",
            c.Model,
            "--n",
            $"{c.N}",
            "--mode",
            c.Mode,
            "--method",
            c.Method,
        ]);
        if (line is null)
            return (double.NaN, double.NaN, $"failed: {error}");
        using var doc = JsonDocument.Parse(line);
        return (
            doc.RootElement.GetProperty("seconds").GetDouble(),
            doc.RootElement.GetProperty("peak_mb").GetDouble(),
            null
        );
    }
}
