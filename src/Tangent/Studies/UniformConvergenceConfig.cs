using Tangent.Data;
using Tangent.Models;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>
/// Settings of the uniform-convergence study (Nagarajan &amp; Kolter 2019): a wide one-hidden-layer ReLU network
/// trained by SGD on two concentric hyperspheres to a fixed training margin, across n; every number with its source.
/// N&amp;K used d = 1,000, width 100,000 and n up to 65,536; the defaults scale width and n to 2 cores.
/// </summary>
public sealed record UniformConvergenceConfig
{
    /// <summary>Input dimension d (N&amp;K: 1,000).</summary>
    public int Dimension { get; init; } = 500;

    /// <summary>Radius of the inner sphere (class 0; N&amp;K: 1).</summary>
    public double InnerRadius { get; init; } = 1;

    /// <summary>Radius of the outer sphere (class 1; N&amp;K: 1.1).</summary>
    public double OuterRadius { get; init; } = 1.1;

    /// <summary>Training-set sizes n, growing over more than a decade (N&amp;K: 4,096 … 65,536; 2 cores take 4,000 in
    /// about 10 minutes at width 1,024).</summary>
    public IReadOnlyList<int> Samples { get; init; } = [250, 1000, 4000];

    /// <summary>Fresh test points.</summary>
    public int TestSamples { get; init; } = 2000;

    /// <summary>Hidden width h (N&amp;K: 100,000; Tangent's for 2 cores).</summary>
    public int Width { get; init; } = 1024;

    /// <summary>SGD step η on the mean cross-entropy.</summary>
    public double Lr { get; init; } = 0.5;

    /// <summary>SGD batch size (Tangent's choice).</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Margin γ the training stops at and the bounds are evaluated at (N&amp;K: 10; 5 here, which a
    /// 1,024-wide network reaches on 4,000 points within the step budget).</summary>
    public double Margin { get; init; } = 5;

    /// <summary>Training stops when this share of the training points has margin ≥ γ (N&amp;K: 99 %).</summary>
    public double MarginShare { get; init; } = 0.99;

    /// <summary>The stopping rule is checked every this many steps.</summary>
    public int CheckEvery { get; init; } = 10;

    /// <summary>Step budget: a run that has not reached the margin by then stops there, and says so.</summary>
    public int MaxSteps { get; init; } = 10000;

    /// <summary>Metrics every this many steps.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>The validation-free risk estimate R̂ (THEORY §5) on every k-th step.</summary>
    public int RiskEvery { get; init; } = 5;

    /// <summary>"Test error falls": error at the largest n over that at the smallest at most this (Tangent's choice,
    /// ½; N&amp;K's fell by more than 10× over their range).</summary>
    public double ErrorRatio { get; init; } = 0.5;

    /// <summary>"Grows with n": the least-squares slope of log(bound) on log n at least this (Tangent's choice, 0.1,
    /// clearly above a flat bound; N&amp;K measured growth for both).</summary>
    public double GrowthSlope { get; init; } = 0.1;

    /// <summary>
    /// "Vacuous": any uniform-convergence bound over the classifiers the algorithm outputs is at least the gap between
    /// the test error and the error on the reflected set S′ (N&amp;K, §4), and a bound of ½ on a binary error is
    /// vacuous; so the verdict asks for a gap ≥ ½.
    /// </summary>
    public double VacuousGap { get; init; } = 0.5;

    /// <summary>The risk estimate "tracks" the test loss across n: Spearman correlation at least this (Tangent's
    /// choice, 0.8).</summary>
    public double RiskRankCorrelation { get; init; } = 0.8;

    /// <summary>… and its largest relative gap |R̂ − L_test|/L_test at most this (Tangent's choice, ½).</summary>
    public double RiskGap { get; init; } = 0.5;

    /// <summary>Seed (task s, model s + 1, batches s + 2).</summary>
    public long Seed { get; init; }

    /// <summary>Checks the config; a <see cref="ConfigException"/> names the field.</summary>
    public UniformConvergenceConfig Validate()
    {
        ConfigException.Require(
            Samples.Count >= 3 && Samples.All(n => n >= 8) && Samples.Distinct().Count() == Samples.Count,
            "samples",
            "needs at least three distinct sizes of at least 8 (a slope over n)",
            "use e.g. [250, 500, 1000]"
        );
        ConfigException.Require(
            InnerRadius > 0 && OuterRadius > InnerRadius,
            "outer_radius",
            $"must exceed inner_radius > 0, got {InnerRadius} and {OuterRadius}",
            "use 1 and 1.1"
        );
        ConfigException.Require(Margin > 0, "margin", $"must be positive, got {Margin}", "use e.g. 10");
        ConfigException.Require(
            MarginShare > 0 && MarginShare <= 1,
            "margin_share",
            $"must be in (0, 1], got {MarginShare}",
            "use 0.99"
        );
        ConfigException.Require(CheckEvery >= 1, "check_every", $"must be at least 1, got {CheckEvery}", "use e.g. 10");
        ConfigException.Require(
            BatchSize >= 2 && Samples.All(n => BatchSize <= n),
            "batch_size",
            $"must be in [2, smallest n], got {BatchSize}",
            "use e.g. 64"
        );
        return this;
    }

    /// <summary>The run of one n (biases, initialized at 0, are needed: a bias-free ReLU network is positively
    /// homogeneous, f(1.1x) = 1.1f(x), so its classes cannot depend on the radius): SGD on the mean cross-entropy of
    /// the two-class task (a provided task, its arrays
    /// written with the run), the risk estimate every <see cref="RiskEvery"/> steps.</summary>
    public TrainConfig Train(int n) =>
        new()
        {
            Task = new TaskConfig
            {
                Kind = "provided",
                Description =
                    $"two concentric spheres in R^{Dimension} of radii {InnerRadius} (class 0) and {OuterRadius} "
                    + "(class 1), each with probability 1/2, one-hot targets (Nagarajan & Kolter 2019)",
                TrainSamples = n,
                TestSamples = TestSamples,
                Dimension = Dimension,
                Outputs = 2,
            },
            Model = new MlpConfig
            {
                Widths = [Dimension, Width, 2],
                Activation = Activation.Relu,
                Parameterization = Parameterization.Standard,
                WeightStd = Math.Sqrt(2),
                Bias = true,
                BiasStd = 0,
            },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Sgd, Lr = Lr },
            Loss = LossKind.CrossEntropy,
            BatchSize = BatchSize,
            Steps = MaxSteps,
            LogEvery = LogEvery,
            Seed = Seed,
            RiskEstimate = true,
            RiskEvery = RiskEvery == 1 ? null : RiskEvery,
        };

    /// <summary>Test error at the largest n over the smallest ≤ <see cref="ErrorRatio"/>.</summary>
    public Criterion ErrorCriterion() =>
        new("test error at the largest n over the smallest", Comparison.AtMost, ErrorRatio, "error_ratio");

    /// <summary>Slope of log(quantity) on log n ≥ <see cref="GrowthSlope"/>.</summary>
    public Criterion GrowthCriterion(string quantity) =>
        new($"slope of log({quantity}) on log n", Comparison.AtLeast, GrowthSlope, "growth_slope");

    /// <summary>Gap between error on S′ and test error at the largest n ≥ <see cref="VacuousGap"/>.</summary>
    public Criterion VacuousCriterion() =>
        new(
            "error on the reflected set S′ minus the test error at the largest n",
            Comparison.AtLeast,
            VacuousGap,
            "vacuous_gap"
        );

    /// <summary>Spearman(R̂, test loss) across n ≥ <see cref="RiskRankCorrelation"/>.</summary>
    public Criterion RiskRankCriterion() =>
        new(
            "Spearman correlation of R̂ and the test loss across n",
            Comparison.AtLeast,
            RiskRankCorrelation,
            "risk_rank_correlation"
        );

    /// <summary>Largest |R̂ − L_test|/L_test across n ≤ <see cref="RiskGap"/>.</summary>
    public Criterion RiskGapCriterion() =>
        new("largest |R̂ − test loss| / test loss across n", Comparison.AtMost, RiskGap, "risk_gap");
}
