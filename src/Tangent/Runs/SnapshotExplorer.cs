using Tangent.Channel;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Runs;

/// <summary>
/// The recorded kernel snapshots of a train run as the report's explorer series: at each snapshot t_k the
/// spectrum of K_SS(t_k), the energies (v_iᵀ g(t_k))² of the output gradient g = ∂Φ/∂U (∝ U − Y under
/// ½-MSE) and (v_iᵀ ε)² of the label noise ε = Y − Y_clean, summed over output columns when traced, and
/// the transfer norms ‖K_QS(t_k) v_i‖.
/// </summary>
public static class SnapshotExplorer
{
    /// <summary>The largest operator dimension N (n, or n·p) the explorer decomposes at every snapshot.</summary>
    public const int MaxDimension = 2048;

    /// <summary>At most this many snapshots are shown (evenly thinned, first and last kept).</summary>
    public const int MaxSnapshots = 60;

    /// <summary>Why the run at <paramref name="runPath"/> cannot be explored, or null when it can.</summary>
    public static string? Unavailable(string runPath)
    {
        if (!File.Exists(SnapshotIndex.PathIn(runPath)))
            return "it recorded no kernel snapshots";
        var index = SnapshotIndex.Read(runPath);
        long n = index.TrainIndices?.Count ?? index.TrainSamples;
        long dim = index.Traced ? n : n * index.Outputs;
        return dim > MaxDimension
            ? $"its kernels are {dim}×{dim}, above the explorer's {MaxDimension} "
                + "(it eigen-decomposes every snapshot)"
            : null;
    }

    /// <summary>Reads the snapshots of <paramref name="runPath"/> one at a time and builds its series.</summary>
    public static ExplorerSeries FromRun(string runPath, string name, CancellationToken cancel = default)
    {
        if (Unavailable(runPath) is { } why)
            throw new InvalidOperationException($"the run at {runPath} cannot be explored: {why}");
        var index = SnapshotIndex.Read(runPath);
        return Build(
            runPath,
            name,
            index,
            Thin(index.Steps),
            step => Snapshot.Read(runPath, step, index.LearningRates[index.Steps.IndexOf(step)]),
            dispose: true,
            cancel
        );
    }

    /// <summary>The series of snapshots already in memory (<c>tangent analyze</c>'s window), thinned to
    /// <see cref="MaxSnapshots"/>.</summary>
    public static ExplorerSeries FromSnapshots(
        string runPath,
        string name,
        SnapshotIndex index,
        IReadOnlyList<Snapshot> window,
        CancellationToken cancel = default
    )
    {
        var byStep = window.ToDictionary(w => w.Step);
        return Build(runPath, name, index, Thin(window.Select(w => w.Step).ToList()), s => byStep[s], false, cancel);
    }

    private static ExplorerSeries Build(
        string runPath,
        string name,
        SnapshotIndex index,
        List<int> steps,
        Func<int, Snapshot> snapshot,
        bool dispose,
        CancellationToken cancel
    )
    {
        using var scope = NewDisposeScope();
        var (y, noise) = Targets(runPath, index);
        var rows = new List<(double[] Lambda, double[] Residual, double[]? Noise, double[] Transfer)>();
        foreach (int step in steps)
        {
            cancel.ThrowIfCancellationRequested();
            var snap = snapshot(step);
            try
            {
                rows.Add(Row(snap, index, y, noise));
            }
            finally
            {
                if (dispose)
                    snap.Dispose();
            }
        }
        return new ExplorerSeries(
            name,
            "K_SS",
            steps,
            rows.Select(r => r.Lambda).ToList(),
            rows.Select(r => r.Residual).ToList(),
            noise is null ? null : rows.Select(r => r.Noise!).ToList(),
            rows.Select(r => r.Transfer).ToList()
        );
    }

    /// <summary>
    /// One snapshot's row: λ_i (descending, as <see cref="SpectralPartition"/> orders them), (v_iᵀ g)²,
    /// (v_iᵀ ε)² and ‖K_QS v_i‖.
    /// </summary>
    public static (double[] Lambda, double[] Residual, double[]? Noise, double[] Transfer) Row(
        Snapshot snap,
        SnapshotIndex index,
        Tensor y,
        Tensor? noise
    )
    {
        using var scope = NewDisposeScope();
        using var split = SpectralPartition.Of(snap.Kss, relativeThreshold: 1);
        var v = split.Vectors;
        var g = Losses.OutputGradient(index.Loss, snap.Us.to_type(ScalarType.Float64), y);
        double[] lambda = split.Values.data<double>().ToArray();
        double[] residual = Energies(v, g, index.Traced);
        double[]? noiseEnergy = noise is null ? null : Energies(v, noise, index.Traced);
        double[] transfer = snap
            .Kqs.to_type(ScalarType.Float64)
            .matmul(v)
            .Squared()
            .sum(0L)
            .sqrt()
            .data<double>()
            .ToArray();
        return (lambda, residual, noiseEnergy, transfer);
    }

    // Σ_c (v_iᵀ r_c)² over output columns (traced: V is n×n, r is [n, p]); full: V is np×np, r flattened
    // sample-major.
    private static double[] Energies(Tensor v, Tensor r, bool traced)
    {
        var m = traced ? r.reshape(v.shape[0], -1) : r.reshape(-1, 1);
        return v.T.matmul(m.to_type(ScalarType.Float64)).Squared().sum(1).data<double>().ToArray();
    }

    private static (Tensor Y, Tensor? Noise) Targets(string runPath, SnapshotIndex index)
    {
        var y = AnalyzeRun.Rows(AnalyzeRun.Load(runPath, "Y_S"), index.TrainIndices).to_type(ScalarType.Float64);
        var clean = AnalyzeRun.Rows(AnalyzeRun.Load(runPath, "Y_S_clean"), index.TrainIndices);
        var noise = y - clean.to_type(ScalarType.Float64);
        return (y, noise.abs().max().item<double>() > 0 ? noise : null);
    }

    private static List<int> Thin(List<int> steps)
    {
        if (steps.Count <= MaxSnapshots)
            return steps;
        return Enumerable
            .Range(0, MaxSnapshots)
            .Select(i => steps[(int)Math.Round(i * (steps.Count - 1) / (double)(MaxSnapshots - 1))])
            .Distinct()
            .ToList();
    }
}
