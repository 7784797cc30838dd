using Tangent.Store;

namespace Tangent.Training;

/// <summary>The one metrics.csv layout of a training run, whoever ran it (tangent train or a study's
/// sub-run).</summary>
public static class MetricsTable
{
    /// <summary>The columns, in order; a column that does not apply to a run is left empty.</summary>
    public static IReadOnlyList<string> Columns { get; } =
    [
        "step",
        "train_loss",
        "train_metric",
        "test_loss",
        "test_metric",
        "weight_norm",
        "grad_norm",
        "lr",
        "mean_gate",
        "gated_off_share",
        "risk_estimate",
        "risk_estimate_alpha",
        "drift_norm",
        "diffusion_norm",
    ];

    /// <summary>The file of SnrAdamW's gate per parameter tensor (<see cref="TensorGates"/>) at each logged
    /// step.</summary>
    public const string GatesFile = "layer_gates.csv";

    /// <summary>Its columns: one row per logged step and tensor (the index in the model's parameters()).</summary>
    public static IReadOnlyList<string> GateColumns { get; } = ["step", "tensor", "mean_gate", "gated_off_share"];

    /// <summary>Writes <paramref name="metrics"/> as <c>metrics.csv</c> of <paramref name="run"/>, and their
    /// per-tensor gates, when they have any, as <see cref="GatesFile"/>.</summary>
    public static void Write(RunDirectory run, IReadOnlyList<TrainingMetrics> metrics)
    {
        WriteMain(run, metrics);
        if (metrics.Any(m => m.Gates is not null))
            run.WriteTable(
                GatesFile,
                GateColumns,
                metrics
                    .Where(m => m.Gates is not null)
                    .SelectMany(m =>
                        m.Gates!.Mean.Select((q, i) => (IReadOnlyList<double?>)[m.Step, i, q, m.Gates.Off[i]])
                    )
            );
    }

    private static void WriteMain(RunDirectory run, IEnumerable<TrainingMetrics> metrics) =>
        run.WriteMetrics(
            Columns,
            metrics.Select(m =>
                (IReadOnlyList<double?>)
                    [
                        m.Step,
                        m.TrainLoss,
                        m.TrainMetric,
                        m.TestLoss,
                        m.TestMetric,
                        m.WeightNorm,
                        double.IsNaN(m.GradientNorm) ? null : m.GradientNorm,
                        m.LearningRate,
                        m.MeanGate,
                        m.GatedOffShare,
                        m.RiskEstimate,
                        m.RiskEstimateAlpha,
                        m.DriftNorm,
                        m.DiffusionNorm,
                    ]
            )
        );

    /// <summary>Reads the <c>metrics.csv</c> of the run at <paramref name="run"/> back (the inverse of
    /// <see cref="Write"/>; an empty cell is null, or NaN for the gradient norm).</summary>
    public static IReadOnlyList<TrainingMetrics> Read(string run)
    {
        var gates = ReadGates(run);
        var lines = File.ReadAllLines(Path.Combine(run, RunDirectory.MetricsFile));
        if (lines.Length == 0 || lines[0] != string.Join(',', Columns))
            throw new InvalidDataException($"{run}/{RunDirectory.MetricsFile} is not in the metrics.csv layout");
        return lines[1..]
            .Where(l => l.Length > 0)
            .Select(l =>
            {
                var v = l.Split(',')
                    .Select(c =>
                        c.Length == 0
                            ? (double?)null
                            : double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)
                    )
                    .ToArray();
                return new TrainingMetrics(
                    (int)v[0]!.Value,
                    v[1]!.Value,
                    v[2]!.Value,
                    v[3]!.Value,
                    v[4]!.Value,
                    v[5]!.Value,
                    v[6] ?? double.NaN,
                    v[7]!.Value,
                    v[8],
                    v[9],
                    v[10],
                    v[11],
                    v[12],
                    v[13],
                    gates.GetValueOrDefault((int)v[0]!.Value)
                );
            })
            .ToList();
    }

    private static Dictionary<int, TensorGates> ReadGates(string run)
    {
        string path = Path.Combine(run, GatesFile);
        if (!File.Exists(path))
            return [];
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != string.Join(',', GateColumns))
            throw new InvalidDataException($"{path} is not in the {GatesFile} layout");
        return lines[1..]
            .Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(c => double.Parse(c, System.Globalization.CultureInfo.InvariantCulture)))
            .Select(v => v.ToArray())
            .GroupBy(v => (int)v[0])
            .ToDictionary(
                g => g.Key,
                g =>
                {
                    var rows = g.OrderBy(v => v[1]).ToList();
                    return new TensorGates(rows.Select(v => v[2]).ToList(), rows.Select(v => v[3]).ToList());
                }
            );
    }
}
