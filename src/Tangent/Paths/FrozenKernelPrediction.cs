using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>THEORY §7: the linearized (frozen-kernel) network's train and test trajectories from the window's
/// start.</summary>
public sealed record FrozenKernelPrediction(
    int[] Steps,
    double[] PredictedTrainMse,
    double[] ActualTrainMse,
    double[] PredictedTestMse,
    double[] ActualTestMse,
    double InfiniteTimeTestMse,
    double TestMseError,
    double TestOutputRelativeError
);
