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
)
{
    /// <summary>
    /// The prediction of <paramref name="dynamics"/> (started at step <paramref name="start"/>) at each of
    /// <paramref name="steps"/> against the recorded outputs (operator columns), scored against the targets: train
    /// MSE from <paramref name="predictedTrainMse"/> (the caller knows what the dynamics leave out), test MSE and the
    /// last step's test outputs from the dynamics.
    /// </summary>
    internal static FrozenKernelPrediction Of(
        LinearizedDynamics dynamics,
        int[] steps,
        int start,
        Func<long, double> predictedTrainMse,
        IReadOnlyList<Tensor> trainOutputs,
        IReadOnlyList<Tensor> queryOutputs,
        Tensor y,
        Tensor yq
    )
    {
        var predTrain = new double[steps.Length];
        var predTest = new double[steps.Length];
        var actualTrain = new double[steps.Length];
        var actualTest = new double[steps.Length];
        Tensor? lastPredQ = null;
        for (int i = 0; i < steps.Length; i++)
        {
            long t = steps[i] - start;
            predTrain[i] = predictedTrainMse(t);
            lastPredQ = dynamics.QueryOutputs(t);
            predTest[i] = (lastPredQ - yq).Squared().mean().item<double>();
            actualTrain[i] = (trainOutputs[i] - y).Squared().mean().item<double>();
            actualTest[i] = (queryOutputs[i] - yq).Squared().mean().item<double>();
        }
        double infinite = (dynamics.QueryOutputsAtInfinity() - yq).Squared().mean().item<double>();
        var actualQ = queryOutputs[^1];
        double relative =
            (lastPredQ! - actualQ).norm().item<double>()
            / Math.Max(1e-300, (actualQ - queryOutputs[0]).norm().item<double>());
        return new FrozenKernelPrediction(
            steps,
            predTrain,
            actualTrain,
            predTest,
            actualTest,
            infinite,
            Math.Abs(predTest[^1] - actualTest[^1]) / Math.Max(1e-300, actualTest[^1]),
            relative
        );
    }
}
