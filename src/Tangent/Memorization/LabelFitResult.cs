using Tangent.Models;
using Tangent.Training;

namespace Tangent.Memorization;

/// <summary>What <see cref="LabelFit.Run"/> returns.</summary>
/// <param name="FittedAt">The first check at which every training label was fitted (null: not within the
/// budget).</param>
/// <param name="Net">The trained network.</param>
/// <param name="SelfInfluence">SI_i per training example (null unless asked for).</param>
/// <param name="Metrics">The run's metrics rows (train and test loss and accuracy, R̂ when asked for).</param>
public sealed record LabelFitResult(
    int? FittedAt,
    Mlp Net,
    double[]? SelfInfluence,
    IReadOnlyList<TrainingMetrics> Metrics
);
