using System.Diagnostics;
using Tangent.Paths;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Bench;

/// <summary>
/// The dense ½-MSE momentum-aware operators by mode maps (each segment's kernel eigenbasis, O(N³ + N²M)) against the
/// augmented (g, h, h_Q) propagator's repeated squaring (O((2N + M)³ log k)), on the same synthetic traced
/// snapshots as <see cref="DenseFloor"/>, in one run: the time of each, their ratio, and the largest difference of
/// their W_S, D and G_Q relative to each operator's largest entry.
/// </summary>
public static class MomentumModes
{
    public static void Run(TextWriter output, string[] args)
    {
        int n = DenseFloor.Arg(args, "--n", 1000),
            m = DenseFloor.Arg(args, "--m", 500),
            segments = DenseFloor.Arg(args, "--segments", 10);
        output.WriteLine($"momentum operators: n = {n}, m = {m}, {segments} segments, {get_num_threads()} threads");
        var window = DenseFloor.Snapshots(n, m, segments);
        output.WriteLine("| momentum | mode maps (s) | augmented propagator (s) | ratio | max rel. difference |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (
            var model in new[] { new MomentumModel("heavy-ball", 0.9, 1, 0), new MomentumModel("adam", 0.9, 0.1, 0.9) }
        )
        {
            var clock = Stopwatch.StartNew();
            using var modes = PathOperators.Compute(window, LossKind.HalfMse, true, 1, momentum: model);
            double fast = clock.Elapsed.TotalSeconds;
            clock.Restart();
            using var general = PathOperators.Compute(window, LossKind.HalfMse, true, 1, true, momentum: model);
            double slow = clock.Elapsed.TotalSeconds;
            double difference = new[]
            {
                (modes.Gramian, general.Gramian),
                (modes.Displacement, general.Displacement),
                (modes.Transfer, general.Transfer),
            }.Max(p => (p.Item1 - p.Item2).abs().max().item<double>() / p.Item2.abs().max().item<double>());
            output.WriteLine($"| {model.Kind} | {fast:F2} | {slow:F2} | {slow / fast:F1}× | {difference:G2} |");
        }
        foreach (var s in window)
            s.Dispose();
    }
}
