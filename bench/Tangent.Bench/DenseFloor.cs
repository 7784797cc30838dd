using System.Diagnostics;
using System.Globalization;
using Tangent.Paths;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Bench;

/// <summary>
/// The dense path analysis against its own floor, in one run: the whole analysis of <c>tangent analyze</c> (operators
/// over S segments and every check, the spacing table included) on synthetic traced ½-MSE snapshots of size n (query
/// m), set against the time its LAPACK factorizations and N³ products take alone — each kind timed on matrices of
/// the same size in the same process and multiplied by how many of it the analysis performs:
/// per segment (the window's and the spacing table's) one eigh, four n³ and two m·n² products; then eigh(W_S),
/// one SVD of D per spacing level, three eigvalsh (kernel drift, the first kernel's spectrum) and the frozen kernel's
/// eigh and m·n² product. Snapshots are in memory (reading them from disk is not counted on either side).
/// </summary>
public static class DenseFloor
{
    public static void Run(TextWriter output, string[] args)
    {
        int n = Arg(args, "--n", 4000),
            m = Arg(args, "--m", 1000),
            segments = Arg(args, "--segments", 20);
        output.WriteLine($"dense analysis floor: n = {n}, m = {m}, {segments} segments, {get_num_threads()} threads");
        var window = Snapshots(n, m, segments);
        var index = new SnapshotIndex
        {
            Steps = window.Select(w => w.Step).ToList(),
            LearningRates = window.Select(w => w.LearningRate).ToList(),
            Traced = true,
            Outputs = 1,
            TrainSamples = n,
            QuerySamples = m,
            Loss = LossKind.HalfMse,
        };
        var g = new Generator(7);
        using var y = randn(new long[] { n, 1 }, dtype: ScalarType.Float64, generator: g);
        using var yq = randn(new long[] { m, 1 }, dtype: ScalarType.Float64, generator: g);

        var clock = Stopwatch.StartNew();
        double operators;
        using (var scope = NewDisposeScope())
        {
            using var ops = PathOperators.Compute(window, LossKind.HalfMse, traced: true, outputs: 1);
            operators = clock.Elapsed.TotalSeconds;
            PathAnalysis.Run(ops, operators, window, index, y, null, yq, ThresholdKind.LambdaStar, 0, 1e-12);
        }
        double total = clock.Elapsed.TotalSeconds;

        // What the analysis does, counted as PathAnalysis does it.
        int spacingSegments = 0,
            levels = 0;
        int previous = -1;
        for (int every = 2; every <= 16; every *= 2)
        {
            int count = window.Where((_, i) => i % every == 0 || i == window.Count - 1).Count();
            if (count == previous)
                break;
            previous = count;
            spacingSegments += count - 1;
            levels++;
        }
        int allSegments = segments + spacingSegments;
        double eigh = Time(() => linalg.eigh(window[0].Kss)),
            svd = Time(() => linalg.svd(window[0].Kss, fullMatrices: false)),
            eigvalsh = Time(() => linalg.eigvalsh(window[0].Kss)),
            gemm = Time(() => window[0].Kss.matmul(window[1].Kss)),
            gemmQ = Time(() => window[0].Kqs.matmul(window[1].Kss));
        double floor =
            allSegments * (eigh + 4 * gemm + 2 * gemmQ) + eigh + (1 + levels) * svd + 3 * eigvalsh + eigh + gemmQ;
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"one eigh {eigh:F2} s, svd {svd:F2} s, eigvalsh {eigvalsh:F2} s, n³ product {gemm:F2} s, "
                    + $"m·n² {gemmQ:F2} s"
            )
        );
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"analysis {total:F1} s (operators {operators:F1} s); its {allSegments} segment eighs, "
                    + $"{4 * allSegments} n³ and {2 * allSegments + 1} m·n² products, {1 + levels} SVDs, "
                    + $"2 more eighs "
                    + $"and 3 eigvalsh alone: {floor:F1} s; ratio {total / floor:F2}"
            )
        );
        foreach (var w in window)
            w.Dispose();
    }

    /// <summary>Kernels K_k = V diag(λ) Vᵀ + drift, λ_i = n·i^(−1.5), at log-spaced steps of a run of 6·n
    /// steps with η = 0.5 (ηλ_max/n = 0.5: stable).</summary>
    internal static List<Snapshot> Snapshots(int n, int m, int segments)
    {
        var g = new Generator(3);
        var (v, _) = linalg.qr(randn(new long[] { n, n }, dtype: ScalarType.Float64, generator: g));
        var lambda = pow(arange(1, n + 1, dtype: ScalarType.Float64), -1.5) * n;
        using var k0 = (v * lambda).matmul(v.T);
        using var kq0 = randn(new long[] { m, n }, dtype: ScalarType.Float64, generator: g) * 0.1;
        var steps = Schedules.LogSpaced(6 * n, segments).Append(0).Append(6 * n).Distinct().Order().ToList();
        var list = new List<Snapshot>();
        foreach (int step in steps.Take(segments + 1))
        {
            var b = randn(new long[] { n, 8 }, dtype: ScalarType.Float64, generator: g);
            var k = k0 + b.matmul(b.T) * (0.01 * step / (6.0 * n));
            var us = randn(new long[] { n, 1 }, dtype: ScalarType.Float64, generator: g);
            var uq = randn(new long[] { m, 1 }, dtype: ScalarType.Float64, generator: g);
            list.Add(new Snapshot(step, 0.5, k, kq0.clone(), us, uq));
        }
        return list;
    }

    private static double Time(Func<object> work)
    {
        double best = double.MaxValue;
        for (int i = 0; i < 2; i++)
        {
            using var scope = NewDisposeScope();
            var clock = Stopwatch.StartNew();
            work();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    internal static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
