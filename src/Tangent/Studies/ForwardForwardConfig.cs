using Tangent.Data;
using Tangent.Models;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>
/// Settings of the forward-forward study: Hinton's (2022) Forward-Forward algorithm and backprop on the same
/// Fashion-MNIST subset, with and without flipped labels; every number with its source.
/// </summary>
public sealed record ForwardForwardConfig
{
    /// <summary>Directory of the Fashion-MNIST IDX files.</summary>
    public string Data { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>Training images n (all ten classes).</summary>
    public int TrainSamples { get; init; } = 2000;

    /// <summary>Test images.</summary>
    public int TestSamples { get; init; } = 1000;

    /// <summary>Average-pool the images by this factor (2: 196 inputs, so the eNTK of n = 2,000 fits 2
    /// cores).</summary>
    public int Pool { get; init; } = 2;

    /// <summary>Hidden widths, the same for both learners (Hinton: 4 × 2,000 on MNIST; scaled to 2 cores).</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [256, 256];

    /// <summary>Share of training labels moved to another class in the noisy runs.</summary>
    public double LabelNoise { get; init; } = 0.2;

    /// <summary>Full-batch Adam steps, the same for both learners.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Forward-Forward's Adam step (0.03, as the common PyTorch implementations; all layers train at
    /// once).</summary>
    public double ForwardForwardLr { get; init; } = 0.03;

    /// <summary>Backprop's Adam step on the cross-entropy of a linear head on the same hidden layers.</summary>
    public double BackpropLr { get; init; } = 0.001;

    /// <summary>θ, the goodness threshold (mean of h²; the common implementations use 2).</summary>
    public double Threshold { get; init; } = 2;

    /// <summary>The channel: eigen-directions of the final eNTK with λ ≥ τ·λ_max (τ as in the memorization and
    /// grokking studies, 0.01).</summary>
    public double ChannelThreshold { get; init; } = 0.01;

    /// <summary>Rows of the final eNTK computed at once (memory grows as 100·block·n doubles per layer).</summary>
    public int KernelBlock { get; init; } = 100;

    /// <summary>Metrics every this many steps.</summary>
    public int LogEvery { get; init; } = 50;

    /// <summary>"Forward-Forward learns": its clean test accuracy at least this (Tangent's choice, 0.7; chance is
    /// 0.1).</summary>
    public double MinAccuracy { get; init; } = 0.7;

    /// <summary>"The noise split agrees": |channel share of the noise, FF − backprop| at most this (Tangent's choice,
    /// 0.1).</summary>
    public double SplitMargin { get; init; } = 0.1;

    /// <summary>"The test cost of the noise agrees": |cost FF − cost backprop| at most this, the cost being the clean
    /// run's test accuracy minus the noisy run's (Tangent's choice, 0.05).</summary>
    public double CostMargin { get; init; } = 0.05;

    /// <summary>Seed (task s, models s + 1, negative labels s + 4).</summary>
    public long Seed { get; init; }

    /// <summary>Checks the config; a <see cref="ConfigException"/> names the field.</summary>
    public ForwardForwardConfig Validate()
    {
        ConfigException.Require(
            TrainSamples >= 20,
            "train_samples",
            $"must be at least 20, got {TrainSamples}",
            "use e.g. 2000"
        );
        ConfigException.Require(
            Hidden.Count >= 1 && Hidden.All(h => h >= 1),
            "hidden",
            "needs at least one positive width",
            "use e.g. [256, 256]"
        );
        ConfigException.Require(
            LabelNoise > 0 && LabelNoise < 0.9,
            "label_noise",
            $"must be in (0, 0.9) (the noisy runs need flipped labels), got {LabelNoise}",
            "use e.g. 0.2"
        );
        ConfigException.Require(Steps >= 1, "steps", $"must be at least 1, got {Steps}", "use e.g. 1000");
        ConfigException.Require(
            ChannelThreshold > 0 && ChannelThreshold < 1,
            "channel_threshold",
            $"must be in (0, 1), got {ChannelThreshold}",
            "use 0.01"
        );
        ConfigException.Require(KernelBlock >= 1, "kernel_block", $"must be positive, got {KernelBlock}", "use 100");
        ConfigException.Require(Threshold > 0, "threshold", $"must be positive, got {Threshold}", "use 2");
        return this;
    }

    /// <summary>The task of one run: all ten classes, the noisy runs with <see cref="LabelNoise"/> (same images:
    /// the draw comes first).</summary>
    public TaskConfig Task(bool noisy) =>
        new()
        {
            Kind = "fashion-mnist",
            Data = Data,
            TrainSamples = TrainSamples,
            TestSamples = TestSamples,
            Pool = Pool,
            LabelNoise = noisy ? LabelNoise : 0,
        };

    /// <summary>The backprop network: the hidden layers with a linear head to the ten classes.</summary>
    public MlpConfig Network() =>
        new()
        {
            Widths = [FashionMnist.Pixels / (Pool * Pool), .. Hidden, 10],
            Activation = Activation.Relu,
            Parameterization = Parameterization.Standard,
            WeightStd = Math.Sqrt(2),
            Bias = true,
            BiasStd = 0,
        };

    /// <summary>One run: full-batch Adam on cross-entropy (backprop), or on the Forward-Forward objective (then the
    /// logged training loss is that objective and the test metric the accuracy of its label scores).</summary>
    public TrainConfig Train(bool noisy, bool forwardForward) =>
        new()
        {
            Task = Task(noisy),
            Model = Network(),
            Optimizer = new OptimizerConfig
            {
                Kind = OptimizerKind.Adam,
                Lr = forwardForward ? ForwardForwardLr : BackpropLr,
            },
            Loss = LossKind.CrossEntropy,
            Steps = Steps,
            LogEvery = LogEvery,
            Seed = Seed,
            RiskEstimate = false,
        };

    /// <summary>FF's clean test accuracy ≥ <see cref="MinAccuracy"/>.</summary>
    public Criterion AccuracyCriterion() =>
        new("Forward-Forward's clean test accuracy", Comparison.AtLeast, MinAccuracy, "min_accuracy");

    /// <summary>|noise channel share FF − backprop| ≤ <see cref="SplitMargin"/>.</summary>
    public Criterion SplitCriterion() =>
        new("|noise channel share, FF − backprop|", Comparison.AtMost, SplitMargin, "split_margin");

    /// <summary>|test cost FF − backprop| ≤ <see cref="CostMargin"/>.</summary>
    public Criterion CostCriterion() =>
        new("|test cost of the noise, FF − backprop|", Comparison.AtMost, CostMargin, "cost_margin");

    /// <summary>min over learners (clean share − noise share) &gt; 0.</summary>
    public static Criterion ReservoirCriterion() =>
        new("smallest (clean-label share − noise share) in the channel", Comparison.Above, 0, "—");
}
