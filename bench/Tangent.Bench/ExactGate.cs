using System.Diagnostics;
using System.Globalization;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Bench;

/// <summary>
/// What SnrAdamW's exact gate costs on the paper's grokking transformer ([98, 128, 97], 2 blocks, 4 heads, sequences
/// [b, 3], batch 512, float32): the batch's per-example gradient moments Σ_i g_i and Σ_i g_i²
/// (<see cref="GradientStatistics.Compute"/>) against one forward and backward pass of the mean loss (what an AdamW
/// step differentiates), best of several repetitions, in one run. The ratio is the exact gate's overhead per step.
/// </summary>
public static class ExactGate
{
    /// <summary>Prints the two times and their ratio; <c>--batch B</c> and <c>--repeats R</c> override 512 and
    /// 10.</summary>
    public static void Run(TextWriter output, string[] args)
    {
        int batch = Option(args, "--batch", 512),
            repeats = Option(args, "--repeats", 10);
        var config = new MlpConfig
        {
            Type = "transformer",
            Widths = [98, 128, 97],
            Layers = 2,
            Heads = 4,
            Tokens = 3,
        };
        var model = ModelFactory.Create(config, new Generator(0), ScalarType.Float32);
        var g = new Generator(1);
        using var x = randint(0, 97, new long[] { batch, 3 }, generator: g).to_type(ScalarType.Float32);
        using var labels = randint(0, 97, new long[] { batch }, generator: g);
        using var y = nn.functional.one_hot(labels, 97).to_type(ScalarType.Float32);
        var parameters = model.parameters().Select(p => (Tensor)p).ToList();

        double backward = Best(
            repeats,
            () =>
            {
                using var scope = NewDisposeScope();
                var loss = Losses.Loss(LossKind.CrossEntropy, model.call(x), y);
                foreach (var p in autograd.grad(new[] { loss }, parameters))
                    p.Dispose();
            }
        );
        double moments = Best(
            repeats,
            () =>
            {
                foreach (
                    var m in GradientStatistics.Compute(model, x, u => Losses.PerSample(LossKind.CrossEntropy, u, y))
                )
                    m.Dispose();
            }
        );
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"transformer p = 97, batch {batch}, float32, {get_num_threads()} threads, best of {repeats}:"
            )
        );
        output.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"forward + backward of the mean loss: {backward * 1e3:F1} ms")
        );
        output.WriteLine(
            string.Create(CultureInfo.InvariantCulture, $"per-example gradient moments: {moments * 1e3:F1} ms")
        );
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio: {moments / backward:F2}x"));
    }

    private static double Best(int repeats, Action action)
    {
        action(); // warm-up
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        int k = Array.IndexOf(args, name);
        return k >= 0 && k + 1 < args.Length ? int.Parse(args[k + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
