using System.Diagnostics;
using Tangent.Kernels;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Bench;

/// <summary>
/// Reports eNTK cost against this machine's measured limit in one run: the float64 GEMM rate (the ceiling of any dense
/// kernel computation here) and the eNTK's useful FLOP rate, counting only the 2·(np)²·P of the final contraction J
/// Jᵀ. A low ratio is the per-row autograd overhead the structured engine (eNTK issue) removes.
/// </summary>
public static class Roofline
{
    public static void Run(TextWriter output)
    {
        double peak = new[] { 1024, 2048, 3072 }.Max(n => GemmRate(n, ScalarType.Float64));
        output.WriteLine(
            $"float64 GEMM peak (best of n = 1024, 2048, 3072): {peak / 1e9:F1} GFLOP/s on {get_num_threads()} threads"
        );
        foreach (var (d, w, p, n) in new[] { (1, 80, 1, 30), (784, 256, 10, 64) })
        {
            var model = new ScaledMlp(d, w, p, new Generator(1));
            using var x = randn(new long[] { n, d }, dtype: ScalarType.Float64);
            long parameters = model.parameters().Sum(t => t.numel());
            double seconds = Best(() =>
            {
                using var s = NewDisposeScope();
                EmpiricalNtk.Compute(model, x);
            });
            double flops = 2.0 * n * p * n * p * parameters;
            output.WriteLine(
                $"eNTK {d}-{w}-{p} n={n} (P={parameters}): {seconds * 1e3:F2} ms, "
                    + $"{flops / seconds / 1e9:F3} GFLOP/s useful = {flops / seconds / peak:P2} of GEMM peak"
            );
        }
    }

    private static double GemmRate(int n, ScalarType dtype)
    {
        using var a = randn(new long[] { n, n }, dtype: dtype);
        using var b = randn(new long[] { n, n }, dtype: dtype);
        double seconds = Best(() =>
        {
            using var c = a.matmul(b);
        });
        return 2.0 * n * n * n / seconds;
    }

    private static double Best(Action work, int repeats = 5)
    {
        work();
        double best = double.MaxValue;
        for (int i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
