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

    /// <summary>Writes <paramref name="metrics"/> as <c>metrics.csv</c> of <paramref name="run"/>.</summary>
    public static void Write(RunDirectory run, IEnumerable<TrainingMetrics> metrics) =>
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
}
