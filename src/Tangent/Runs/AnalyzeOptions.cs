using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Store;
using Tangent.Theory;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Runs;

/// <summary>Options of <c>tangent analyze</c>.</summary>
public sealed record AnalyzeOptions
{
    /// <summary>Window start s (a snapshot step; null: the first snapshot).</summary>
    public int? Start { get; init; }

    /// <summary>Window end T (a snapshot step; null: the last snapshot).</summary>
    public int? End { get; init; }

    /// <summary>How the channel threshold is set.</summary>
    public ThresholdKind Threshold { get; init; } = ThresholdKind.LambdaStar;

    /// <summary>τ (relative) or the absolute threshold (unused for λ⋆).</summary>
    public double ThresholdValue { get; init; } = 1e-3;

    /// <summary>Relative singular-value cutoff of D⁺ (THEORY §2: a machine-epsilon cutoff can ruin the
    /// prediction).</summary>
    public double PinvCutoff { get; init; } = 1e-12;

    /// <summary>Use the momentum-free operators (w ← w − ηMJᵀg) even for a run whose optimizer has momentum, to
    /// set them beside the momentum-aware ones (their direct motion checks show what ignoring momentum
    /// costs).</summary>
    public bool MomentumFree { get; init; }

    /// <summary>Factored operators from the top-<c>Rank</c> eigenpairs of each recorded dense kernel (null: dense
    /// operators, unless <see cref="AutoRank"/> or the run recorded factored snapshots, which are always analyzed
    /// factored).</summary>
    public int? Rank { get; init; }

    /// <summary>Pick by size: dense operators up to <see cref="DenseLimit"/> operator rows, factored ones at rank
    /// min(N, <see cref="AutoRankValue"/>) above.</summary>
    public bool AutoRank { get; init; }

    /// <summary>Operator rows N up to which <c>--rank auto</c> keeps the dense operators (a 4,096² float64 matrix is
    /// 134 MB; the dense analysis holds about eight of them and one eigendecomposition per segment).</summary>
    public const int DenseLimit = 4096;

    /// <summary>The rank <c>--rank auto</c> truncates dense kernels to above <see cref="DenseLimit"/>.</summary>
    public const int AutoRankValue = 512;

    /// <summary>Factored operators only: the common subspace keeps the directions whose time-integrated kernel flow φ
    /// (e-folds of relaxation over the window) is at least this; 0 keeps the whole span of the snapshots (see
    /// <see cref="FactoredOperators.FlowBasis"/>).</summary>
    public double FlowCutoff { get; init; } = DefaultFlowCutoffValue;

    /// <summary>The default <see cref="FlowCutoff"/> (<see cref="FactoredOperators.DefaultFlowCutoff"/>).</summary>
    public const double DefaultFlowCutoffValue = FactoredOperators.DefaultFlowCutoff;

    /// <summary>Start even when the estimated peak memory exceeds what the machine has available.</summary>
    public bool SkipMemoryCheck { get; init; }

    /// <summary>
    /// The sub-directory of the run an analysis of window s:T writes: <c>analysis</c> for the whole run with the
    /// default threshold and cutoff, else <c>analysis-s-T</c> with the threshold and cutoff appended when they are not
    /// the default, so analyses of different windows or thresholds sit beside each other instead of overwriting each
    /// other.
    /// </summary>
    public string DirectoryName(int s, int t, bool wholeRun)
    {
        var defaults = new AnalyzeOptions();
        bool defaultThreshold = Threshold == ThresholdKind.LambdaStar;
        bool defaultCutoff = PinvCutoff.Equals(defaults.PinvCutoff);
        bool defaultFlow = FlowCutoff.Equals(defaults.FlowCutoff);
        if (wholeRun && defaultThreshold && defaultCutoff && defaultFlow && !MomentumFree && Rank is null)
            return "analysis";
        string name = wholeRun && defaultThreshold && defaultCutoff ? "analysis" : $"analysis-{s}-{t}";
        if (Rank is { } rank)
            name += $"-rank{rank}";
        if (!defaultThreshold)
            name += string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"-{(Threshold == ThresholdKind.Relative ? "rel" : "abs")}{ThresholdValue:G6}"
            );
        if (!defaultCutoff)
            name += string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-pinv{PinvCutoff:G3}");
        if (!defaultFlow)
            name += string.Create(System.Globalization.CultureInfo.InvariantCulture, $"-flow{FlowCutoff:G3}");
        if (MomentumFree)
            name += "-momentum-free";
        return name;
    }

    /// <summary>The threshold as the command line writes it: <c>lambda-star</c>, <c>rel:τ</c> or
    /// <c>abs:v</c>.</summary>
    public string ThresholdText =>
        Threshold switch
        {
            ThresholdKind.Relative => string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"rel:{ThresholdValue:G6}"
            ),
            ThresholdKind.Absolute => string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"abs:{ThresholdValue:G6}"
            ),
            _ => "lambda-star",
        };
}
