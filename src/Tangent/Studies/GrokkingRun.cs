using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>One benchmark run's outcome.</summary>
public sealed record GrokkingRun(
    OptimizerKind Optimizer,
    double Lr,
    int Seed,
    int? StepsToTarget,
    int StepsToTrainFit,
    double FinalTestAccuracy,
    IReadOnlyList<TrainingMetrics> Curve
);
