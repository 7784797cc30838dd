using Tangent.Kernels;
using Tangent.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>One row of metrics.csv.</summary>
public sealed record TrainingMetrics(
    int Step,
    double TrainLoss,
    double TrainMetric,
    double TestLoss,
    double TestMetric,
    double WeightNorm,
    double GradientNorm,
    double LearningRate,
    double? MeanGate = null,
    double? GatedOffShare = null,
    double? RiskEstimate = null,
    double? RiskEstimateAlpha = null,
    double? DriftNorm = null,
    double? DiffusionNorm = null,
    TensorGates? Gates = null
);
