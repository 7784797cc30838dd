namespace Tangent.Demo;

/// <summary>
/// The instantaneous eNTK read at one step t: spectrum λ_i of K_SS (descending), the residual
/// r = U_S − Y and injected label noise ε in its eigenbasis, and ‖K_QS v_i‖, the size of the test
/// motion one unit of output gradient along v_i causes.
/// </summary>
public sealed record ChannelCheckpoint(
    int Step,
    double TrainMse,
    double TestMse,
    double[] Eigenvalues,
    double[] ResidualProjections,
    double[] NoiseProjections,
    double[] TransferNorms,
    int ChannelSize,
    double Threshold,
    double ChannelShareResidual,
    double ReservoirShareLabelNoise);

/// <summary>Everything <c>tangent demo</c> measured.</summary>
public sealed record DemoResult(
    DemoConfig Config,
    IReadOnlyList<ChannelCheckpoint> Checkpoints,
    IReadOnlyList<(int Step, double TrainMse, double TestMse)> Curve,
    double[] TrainX, double[] TrainY, double[] TrainClean, double[] TestX, double[] TestY,
    double[] GridX, double[] FitInitial, double[] FitFinal,
    double KernelDrift,
    double NoiseFittedFraction,
    double[] InitialResidualInFinalBasis,
    double[] FinalEigenvectors,
    double[] KernelInitial,
    double[] KernelFinal);
