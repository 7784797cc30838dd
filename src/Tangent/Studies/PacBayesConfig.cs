using Tangent.Data;
using Tangent.Models;
using Tangent.PacBayes;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>
/// Settings of the pac-bayes study (Dziugaite &amp; Roy 2017): an MLP trained by SGD on binary Fashion-MNIST, then a
/// Gaussian posterior around its weights optimized under the PAC-Bayes bound, across n; every number with its
/// source. D&amp;R used binary MNIST (label &lt; 5 against ≥ 5), n = 55,000, T-600 (one hidden layer of 600) and
/// larger networks; the defaults keep their network and binarization on Fashion-MNIST and scale n to 2 cores.
/// </summary>
public sealed record PacBayesConfig
{
    /// <summary>Directory of the Fashion-MNIST IDX files.</summary>
    public string Data { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>The two label groups (D&amp;R's binarization: label &lt; 5 is +1, ≥ 5 is −1).</summary>
    public IReadOnlyList<IReadOnlyList<int>> Groups { get; init; } =
    [
        [0, 1, 2, 3, 4],
        [5, 6, 7, 8, 9],
    ];

    /// <summary>Training-set sizes n (D&amp;R: 55,000).</summary>
    public IReadOnlyList<int> Samples { get; init; } = [2000, 8000, 32000];

    /// <summary>Test images (D&amp;R: 10,000).</summary>
    public int TestSamples { get; init; } = 2000;

    /// <summary>Average-pool the images by this factor (D&amp;R: 1, 784 inputs; 2 here, 196 inputs, so that the
    /// Monte Carlo errors of 32,000 images fit 2 cores).</summary>
    public int Pool { get; init; } = 2;

    /// <summary>Hidden widths (D&amp;R's T-600: [600]).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [600];

    /// <summary>SGD step on the mean ½-squared error of the ±1 targets (D&amp;R: logistic loss, 0.01 with momentum;
    /// Tangent's binary tasks train on ½-MSE, so the risk estimate reads the same loss).</summary>
    public double Lr { get; init; } = 0.01;

    /// <summary>SGD batch (D&amp;R: 100).</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>Step budget; training stops earlier once the training error is 0 (checked every
    /// <see cref="CheckEvery"/> steps; D&amp;R trained to near-zero training error).</summary>
    public int MaxSteps { get; init; } = 6000;

    /// <summary>The stopping rule and the self-influence are evaluated every this many steps.</summary>
    public int CheckEvery { get; init; } = 50;

    /// <summary>Metrics every this many steps.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>The risk estimate R̂ on every k-th step.</summary>
    public int RiskEvery { get; init; } = 5;

    /// <summary>The bound's constants and its optimization (D&amp;R's where given).</summary>
    public PacBayesSettings Bound { get; init; } = new();

    /// <summary>"Non-vacuous": a bound on a binary error below ½, chance (D&amp;R; the criterion).</summary>
    public double Vacuous { get; init; } = 0.5;

    /// <summary>"Tight": bound over the stochastic network's test error at most this (Tangent's choice, 5: D&amp;R's
    /// binary-MNIST bounds were several times their stochastic test errors).</summary>
    public double Tightness { get; init; } = 5;

    /// <summary>The risk estimate "matches" the test loss: largest |R̂ − L_test|/L_test across n at most this
    /// (Tangent's choice, ½, as in the uniform-convergence study).</summary>
    public double RiskGap { get; init; } = 0.5;

    /// <summary>The mean self-influence "predicts" the generalization gap L_test − L_train: within this factor in
    /// every run (Tangent's choice, 2).</summary>
    public double GapFactor { get; init; } = 2;

    /// <summary>Seed (task s, model s + 1, batches s + 2, the posterior's draws s + 3).</summary>
    public long Seed { get; init; }

    /// <summary>Checks the config; a <see cref="ConfigException"/> names the field.</summary>
    public PacBayesConfig Validate()
    {
        ConfigException.Require(
            Samples.Count >= 1 && Samples.All(n => n >= 8) && Samples.Distinct().Count() == Samples.Count,
            "samples",
            "needs distinct sizes of at least 8 (Maurer's bound needs n ≥ 8)",
            "use e.g. [1000, 2000, 4000]"
        );
        ConfigException.Require(
            Groups.Count == 2,
            "groups",
            $"needs two label groups, got {Groups.Count}",
            "use e.g. " + "[[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]"
        );
        ConfigException.Require(
            Hidden.Count >= 1 && Hidden.All(h => h >= 1),
            "hidden",
            "needs at least one positive width",
            "use e.g. [600]"
        );
        ConfigException.Require(
            BatchSize >= 2 && Samples.All(n => BatchSize <= n),
            "batch_size",
            $"must be in [2, smallest n], got {BatchSize}",
            "use e.g. 100"
        );
        ConfigException.Require(CheckEvery >= 1, "check_every", $"must be at least 1, got {CheckEvery}", "use 50");
        var b = Bound;
        ConfigException.Require(
            b.Delta > 0 && b.DeltaPrime > 0 && b.Delta + b.DeltaPrime < 1,
            "bound.delta",
            $"δ and δ′ must be positive with δ + δ′ < 1, got {b.Delta} and {b.DeltaPrime}",
            "use 0.025 and 0.01"
        );
        ConfigException.Require(
            b.PriorScale > 0 && b.PriorPrecision > 0 && b.InitialPriorVariance > 0 && b.InitialStdScale > 0,
            "bound.prior_scale",
            "prior_scale, prior_precision, initial_prior_variance and initial_std_scale must be positive",
            "use 0.1, 100, 0.0025 and 1"
        );
        ConfigException.Require(
            b.Steps >= 1 && b.Lr > 0 && b.BatchSize >= 1 && b.Samples >= 1,
            "bound.steps",
            "steps, lr, batch_size and samples must be positive",
            "use e.g. 3000, 0.001, 256 and 1000"
        );
        return this;
    }

    /// <summary>The training run of one n: SGD on ½-MSE of the ±1 targets, He initialization, zero biases, R̂ every
    /// <see cref="RiskEvery"/> steps.</summary>
    public TrainConfig Train(int n) =>
        new()
        {
            Task = new TaskConfig
            {
                Kind = "fashion-mnist",
                Data = Data,
                Groups = Groups,
                TrainSamples = n,
                TestSamples = TestSamples,
                Pool = Pool,
            },
            Model = new MlpConfig
            {
                Widths = [FashionMnist.Pixels / (Pool * Pool), .. Hidden, 1],
                Activation = Activation.Relu,
                Parameterization = Parameterization.Standard,
                WeightStd = Math.Sqrt(2),
                Bias = true,
                BiasStd = 0,
            },
            Optimizer = new OptimizerConfig { Kind = OptimizerKind.Sgd, Lr = Lr },
            Loss = LossKind.HalfMse,
            BatchSize = BatchSize,
            Steps = MaxSteps,
            LogEvery = LogEvery,
            Seed = Seed,
            RiskEstimate = true,
            RiskEvery = RiskEvery == 1 ? null : RiskEvery,
        };

    /// <summary>The bound at the largest n &lt; <see cref="Vacuous"/>.</summary>
    public Criterion VacuousCriterion() =>
        new("PAC-Bayes bound at the largest n", Comparison.Below, Vacuous, "vacuous");

    /// <summary>Bound over the stochastic test error at the largest n ≤ <see cref="Tightness"/>.</summary>
    public Criterion TightnessCriterion() =>
        new("bound / test error of Q at the largest n", Comparison.AtMost, Tightness, "tightness");

    /// <summary>Largest |R̂ − L_test|/L_test ≤ <see cref="RiskGap"/>.</summary>
    public Criterion RiskGapCriterion() =>
        new("largest |R̂ − test loss| / test loss across n", Comparison.AtMost, RiskGap, "risk_gap");

    /// <summary>Worst factor between mean self-influence and the measured gap ≤ <see cref="GapFactor"/>.</summary>
    public Criterion GapCriterion() =>
        new(
            "worst factor between mean self-influence and L_test − L_train",
            Comparison.AtMost,
            GapFactor,
            "gap_factor"
        );
}
