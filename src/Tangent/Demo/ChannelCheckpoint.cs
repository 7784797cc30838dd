namespace Tangent.Demo;

/// <summary>
/// The instantaneous eNTK read at one step t: spectrum λ_i of K_SS (descending), the residual r = U_S − Y and
/// injected label noise ε in its eigenbasis, and ‖K_QS v_i‖, the size of the test motion one unit of output
/// gradient along v_i causes.
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
    double ReservoirShareLabelNoise
);
