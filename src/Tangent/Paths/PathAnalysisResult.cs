using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>The measured and predicted quantities of <c>tangent analyze</c> over one window.</summary>
public sealed record PathAnalysisResult
{
    /// <summary>Window start s (a snapshot step).</summary>
    public required int Start { get; init; }

    /// <summary>Window end T (a snapshot step).</summary>
    public required int End { get; init; }

    /// <summary>Whether the operators act on output-traced kernels.</summary>
    public required bool Traced { get; init; }

    /// <summary>Eigenvalues of W_S, descending.</summary>
    public required double[] GramianEigenvalues { get; init; }

    /// <summary>Absolute channel threshold on W_S eigenvalues.</summary>
    public required double Threshold { get; init; }

    /// <summary>Number of W_S eigenvalues at or above the threshold.</summary>
    public required int ChannelDim { get; init; }

    /// <summary>Transfer spectrum ‖G_Q v_i‖ for each eigenvector v_i of W_S (same order as the
    /// eigenvalues).</summary>
    public required double[] TransferNorms { get; init; }

    /// <summary>Path-coupling prediction G_Q D⁺ ΔU_S, flattened.</summary>
    public required double[] PredictedTestMotion { get; init; }

    /// <summary>Actual ΔU_Q = U_Q(T) − U_Q(s), flattened.</summary>
    public required double[] ActualTestMotion { get; init; }

    /// <summary>Pearson correlation of predicted and actual test motion.</summary>
    public required double PathCouplingCorrelation { get; init; }

    /// <summary>‖predicted − actual‖ / ‖actual‖ test motion.</summary>
    public required double PathCouplingRelativeError { get; init; }

    /// <summary>Path-coupling relative error and correlation for several relative singular-value cutoffs of
    /// D⁺.</summary>
    public required IReadOnlyList<(double Cutoff, double RelativeError, double Correlation)> CutoffSweep { get; init; }

    /// <summary>‖−D g(s) − ΔU_S‖ / ‖ΔU_S‖.</summary>
    public required double DirectTrainRelativeError { get; init; }

    /// <summary>‖−G_Q g(s) − ΔU_Q‖ / ‖ΔU_Q‖.</summary>
    public required double DirectTestRelativeError { get; init; }

    /// <summary>Φ_S(s) − Φ_S(T), measured.</summary>
    public required double LossDecrease { get; init; }

    /// <summary>g(s)ᵀ W_S g(s) (flow-form Gramian).</summary>
    public required double LossPredictedFlow { get; init; }

    /// <summary>g(s)ᵀ W̃_S g(s) (discrete Gramian with K − ½ηKBK).</summary>
    public required double LossPredictedDiscrete { get; init; }

    /// <summary>‖K_T − K_s‖_F / ‖K_s‖_F.</summary>
    public required double KernelDriftFrobenius { get; init; }

    /// <summary>‖K_T − K_s‖₂ / ‖K_s‖₂.</summary>
    public required double KernelDriftOperator { get; init; }

    /// <summary>Kernel distance from K_s at every snapshot of the window.</summary>
    public required double[] KernelDistanceFromStart { get; init; }

    /// <summary>Kernel distance between consecutive snapshots per step.</summary>
    public required double[] KernelVelocity { get; init; }

    /// <summary>Steps of the window's snapshots.</summary>
    public required int[] SnapshotSteps { get; init; }

    /// <summary>Centered kernel–target alignment of K_s.</summary>
    public required double AlignmentStart { get; init; }

    /// <summary>Centered kernel–target alignment of K_T.</summary>
    public required double AlignmentEnd { get; init; }

    /// <summary>Effective ranks (r_0, R_0) of W_S.</summary>
    public required (double R0, double BigR0) GramianRanks { get; init; }

    /// <summary>Effective ranks (r_0, R_0) of K_s.</summary>
    public required (double R0, double BigR0) KernelRanks { get; init; }

    /// <summary>The four cells, when the task recorded label noise.</summary>
    public FourCells? Cells { get; init; }

    /// <summary>The frozen-kernel prediction (½-MSE only).</summary>
    public FrozenKernelPrediction? Frozen { get; init; }

    /// <summary>Path-coupling relative error with every 1st, 2nd, 4th, … snapshot (ends kept).</summary>
    public required IReadOnlyList<(int Every, int Snapshots, double RelativeError)> SpacingConvergence { get; init; }

    /// <summary>Largest spectral radius of a one-step propagator I − ηBK in the window, and where (above 1 the
    /// linearization expands).</summary>
    public required (double Radius, int Step) MaxPropagatorRadius { get; init; }

    /// <summary>
    /// Per segment [t_k, t_{k+1}]: the relative errors of the one-segment predictions ΔU_S ≈ −(D_k g(t_k) + D_h,k
    /// h_S(t_k)) and ΔU_Q ≈ −(G_k g(t_k) + …) against the recorded motion, each segment started from its own
    /// recorded state (so an error here is the frozen-kernel-and-preconditioner model of that one segment, not carried
    /// over). A motion below float64's resolution of the outputs (‖ΔU‖ &lt; 1e-13 ‖U‖, e.g. SnrAdamW's first
    /// step, whose soft and hard gates are 0 in exact arithmetic) is measured against that resolution instead of
    /// against itself.
    /// </summary>
    public IReadOnlyList<(int Start, int End, double Train, double Test)> SegmentResiduals { get; init; } = [];

    /// <summary>The dynamics the operators model: "momentum-free" or the momentum model's kind.</summary>
    public string Dynamics { get; init; } = "momentum-free";

    /// <summary>The low-rank approximation and its certificate (null: dense operators).</summary>
    public LowRankSummary? LowRank { get; init; }

    /// <summary>Seconds spent integrating the operators.</summary>
    public required double OperatorSeconds { get; init; }

    /// <summary>The approximations the operators used, in words.</summary>
    public required IReadOnlyList<string> Approximations { get; init; }
}
