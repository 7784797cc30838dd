namespace Tangent.Demo;

/// <summary>Everything <c>tangent demo</c> measured.</summary>
public sealed record DemoResult(
    DemoConfig Config,
    IReadOnlyList<ChannelCheckpoint> Checkpoints,
    IReadOnlyList<(int Step, double TrainMse, double TestMse)> Curve,
    double[] TrainX,
    double[] TrainY,
    double[] TrainClean,
    double[] TestX,
    double[] TestY,
    double[] GridX,
    double[] FitInitial,
    double[] FitFinal,
    double KernelDrift,
    double NoiseFittedFraction,
    double[] InitialResidualInFinalBasis,
    double[] FinalEigenvectors,
    double[] KernelInitial,
    double[] KernelFinal
);
