using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>
/// Settings of the dynamical-decoupling study (Montanari &amp; Urbani 2025): two-layer ReLU networks trained by
/// full-batch gradient descent on a noisy teacher task, across sample sizes n and widths; every number with its
/// source.
/// </summary>
public sealed record DynamicalDecouplingConfig
{
    /// <summary>Input dimension d. Montanari &amp; Urbani's regime is many samples per dimension (n/d large); d = 10
    /// gives n/d = 10 … 160 over the default sample sizes (Tangent's choice, for 2 cores).</summary>
    public int Dimension { get; init; } = 10;

    /// <summary>Hidden width of the tanh teacher (the <c>teacher</c> task).</summary>
    public int TeacherWidth { get; init; } = 8;

    /// <summary>Std of the Gaussian label noise on the training targets (test targets are clean).</summary>
    public double NoiseStd { get; init; } = 0.5;

    /// <summary>Training-set sizes n, growing over more than a decade.</summary>
    public IReadOnlyList<int> Samples { get; init; } = [100, 200, 400, 800, 1600];

    /// <summary>Held-out points (clean targets).</summary>
    public int TestSamples { get; init; } = 500;

    /// <summary>Hidden widths of the two-layer student (NTK parameterization, ReLU).</summary>
    public IReadOnlyList<int> Widths { get; init; } = [128, 512];

    /// <summary>Gradient-descent step η on the mean ½-MSE, the same for every n (so a step is the same unit of
    /// gradient-flow time t = η·steps at every n).</summary>
    public double Lr { get; init; } = 1.0;

    /// <summary>Gradient-descent steps.</summary>
    public int Steps { get; init; } = 10000;

    /// <summary>Metrics (train, test loss and the risk estimate) every this many steps.</summary>
    public int LogEvery { get; init; } = 1;

    /// <summary>Kernel snapshots per run, log-spaced (the resolution of the noise timeline).</summary>
    public int Snapshots { get; init; } = 30;

    /// <summary>The validation-free risk estimate R̂ (THEORY §5) on every k-th step (its increments times
    /// k).</summary>
    public int RiskEvery { get; init; } = 10;

    /// <summary>
    /// The generalization time t_gen is the first logged step at which the test loss has made this share of its whole
    /// improvement L(0) − min_t L(t): 95 %, Tangent's choice (the test loss is flat near its minimum, so the arg-min
    /// itself is not a stable time).
    /// </summary>
    public double GenFraction { get; init; } = 0.95;

    /// <summary>
    /// The measured overfitting onset t_over is the first logged step after the test minimum at which the test loss
    /// exceeds it by this relative amount: 5 %, Tangent's choice (well above the step-to-step change of a GD run).
    /// </summary>
    public double OverfitRise { get; init; } = 0.05;

    /// <summary>"Stays put": the largest over the smallest t_gen across n, at every width, is at most this: 2,
    /// Tangent's
    /// choice for a claim of an n-independent time while n grows 16-fold.</summary>
    public double GenSpread { get; init; } = 2;

    /// <summary>"Grows with n": the least-squares slope of log t_over on log n at least this: 0.5, Tangent's choice
    /// (the channel account's bulk relaxation times n/(ηλ) give 1; a fixed time gives 0).</summary>
    public double OnsetSlope { get; init; } = 0.5;

    /// <summary>The channel's predicted onset must be within this factor of the measured one (the issue: a factor of
    /// 2).</summary>
    public double OnsetFactor { get; init; } = 2;

    /// <summary>The level at which the noise's channel share (and the fitted share) count as crossed: ½ (the
    /// issue).</summary>
    public double CrossingLevel { get; init; } = 0.5;

    /// <summary>Seed (task s, model s + 1).</summary>
    public long Seed { get; init; }

    /// <summary>Checks the config; a <see cref="ConfigException"/> names the field.</summary>
    public DynamicalDecouplingConfig Validate()
    {
        ConfigException.Require(
            Samples.Count >= 3 && Samples.All(n => n >= 8) && Samples.Distinct().Count() == Samples.Count,
            "samples",
            "needs at least three distinct sizes of at least 8 (a slope over n)",
            "use e.g. [100, 200, 400]"
        );
        ConfigException.Require(
            Widths.Count >= 1 && Widths.All(w => w >= 1),
            "widths",
            "needs at least one positive width",
            "use e.g. [256]"
        );
        ConfigException.Require(Lr > 0, "lr", $"must be positive, got {Lr}", "use e.g. 1.0");
        ConfigException.Require(Steps >= 10, "steps", $"must be at least 10, got {Steps}", "use e.g. 4000");
        ConfigException.Require(
            LogEvery >= 1 && LogEvery <= Steps,
            "log_every",
            $"must be in [1, steps], got {LogEvery}",
            "use e.g. 1"
        );
        ConfigException.Require(Snapshots >= 3, "snapshots", $"must be at least 3, got {Snapshots}", "use e.g. 30");
        ConfigException.Require(NoiseStd > 0, "noise_std", "the study needs label noise", "use e.g. 0.5");
        ConfigException.Require(
            GenFraction > 0 && GenFraction < 1,
            "gen_fraction",
            $"must be in (0, 1), got {GenFraction}",
            "use e.g. 0.95"
        );
        ConfigException.Require(
            CrossingLevel > 0 && CrossingLevel < 1,
            "crossing_level",
            $"must be in (0, 1), got {CrossingLevel}",
            "use 0.5"
        );
        ConfigException.Require(OnsetFactor > 1, "onset_factor", $"must exceed 1, got {OnsetFactor}", "use 2");
        return this;
    }

    /// <summary>The training run of one arm (n, width): full-batch GD on the mean ½-MSE, log-spaced kernel
    /// snapshots of the whole training set and the test set, the risk estimate every <see cref="RiskEvery"/>
    /// steps.</summary>
    public TrainConfig Train(int n, int width) =>
        new()
        {
            Task = new TaskConfig
            {
                Kind = "teacher",
                TrainSamples = n,
                TestSamples = TestSamples,
                Dimension = Dimension,
                Outputs = 1,
                TeacherWidth = TeacherWidth,
                NoiseStd = NoiseStd,
            },
            Model = new MlpConfig
            {
                Widths = [Dimension, width, 1],
                Activation = Activation.Relu,
                Parameterization = Parameterization.Ntk,
                WeightStd = Math.Sqrt(2),
                BiasStd = 0.1,
            },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = Lr },
            Loss = LossKind.HalfMse,
            Steps = Steps,
            LogEvery = LogEvery,
            Seed = Seed,
            RiskEstimate = true,
            RiskEvery = RiskEvery == 1 ? null : RiskEvery,
            Record = new RecordConfig { Schedule = "log", Count = Snapshots },
        };

    /// <summary>t_gen's spread across n at the worst width ≤ <see cref="GenSpread"/>.</summary>
    public Criterion GenSpreadCriterion() =>
        new("largest over smallest t_gen across n (worst width)", Comparison.AtMost, GenSpread, "gen_spread");

    /// <summary>Slope of log t_over on log n ≥ <see cref="OnsetSlope"/> at every width.</summary>
    public Criterion OnsetSlopeCriterion() =>
        new("slope of log t_over on log n (smallest over widths)", Comparison.AtLeast, OnsetSlope, "onset_slope");

    /// <summary>Relative rise of the test loss after its minimum at the smallest n ≥ <see
    /// cref="OverfitRise"/>.</summary>
    public Criterion RiseCriterion() =>
        new(
            "relative rise of the test loss after its minimum (smallest n, every width)",
            Comparison.AtLeast,
            OverfitRise,
            "overfit_rise"
        );

    /// <summary>Largest factor between the channel's predicted time and the measured one ≤ <see
    /// cref="OnsetFactor"/>.</summary>
    public Criterion FactorCriterion(string measured) =>
        new(
            $"largest factor between the channel crossing and {measured} over all runs",
            Comparison.AtMost,
            OnsetFactor,
            "onset_factor"
        );
}
