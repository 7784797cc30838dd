using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Store;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>
/// Settings of the grokking benchmark for the optimizer (training issue): modular arithmetic with Gromov's two-layer
/// x² network (2p → N → p, no biases), full batch, cross-entropy; AdamW against SnrAdamW, each tuned over the same
/// learning-rate grid, steps to the target held-out accuracy, median over seeds. Every number is here with where it
/// comes from.
/// </summary>
public sealed record GrokkingConfig
{
    /// <summary>Modulus p. Quick: 23 (CI budget); full: 97 (the reported setting).</summary>
    public int Modulus { get; init; } = 23;

    /// <summary>Operation. Quick: add; full: div (the reported setting).</summary>
    public string Operation { get; init; } = "add";

    /// <summary>Training share of all pairs. Quick: 0.5; full: 0.25 (the reported setting).</summary>
    public double TrainFraction { get; init; } = 0.5;

    /// <summary>Hidden width N (Gromov: 500 in the full setting).</summary>
    public int Width { get; init; } = 256;

    /// <summary>Step budget per run (runs that do not reach the target are censored at it).</summary>
    public int MaxSteps { get; init; } = 3000;

    /// <summary>Learning rates tried for both optimizers.</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [0.003, 0.01, 0.03];

    /// <summary>Decoupled weight decay for both (Gromov-style setups use strong decay).</summary>
    public double WeightDecay { get; init; } = 1.0;

    /// <summary>Adam β₂ (0.98 in the published grokking setups).</summary>
    public double Beta2 { get; init; } = 0.98;

    /// <summary>Seeds per (optimizer, learning rate); the issue asks for at least 3.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Held-out accuracy that counts as grokked.</summary>
    public double Target { get; init; } = 0.95;

    /// <summary>Steps between held-out evaluations (the resolution of the step counts).</summary>
    public int EvaluateEvery { get; init; } = 25;

    /// <summary>The SNR gate and its parameters (published defaults; see docs/training.md).</summary>
    public GateKind Gate { get; init; } = GateKind.Soft;

    /// <summary>The quick preset (under 3 minutes on 2 cores) and the full one (the reported setting: division mod 97
    /// at 25 %).</summary>
    public static GrokkingConfig Preset(string name) =>
        name switch
        {
            "quick" => new GrokkingConfig(),
            "full" => new GrokkingConfig
            {
                Modulus = 97,
                Operation = "div",
                TrainFraction = 0.25,
                Width = 500,
                MaxSteps = 40_000,
                LearningRates = [0.003, 0.01],
                EvaluateEvery = 50,
            },
            _ => throw StudyCatalog.UnknownPreset(name),
        };

    /// <summary>Checks the fields.</summary>
    public GrokkingConfig Validate()
    {
        ConfigException.Require(Seeds >= 1, "--seeds", $"must be at least 1, got {Seeds}", "use 3 or more");
        ConfigException.Require(
            LearningRates.Count > 0 && LearningRates.All(l => l > 0),
            "learning_rates",
            "need positive learning rates",
            "use e.g. [0.003, 0.01]"
        );
        ConfigException.Require(
            MaxSteps >= EvaluateEvery,
            "max_steps",
            $"must be at least {EvaluateEvery}",
            "raise max_steps"
        );
        return this;
    }

    /// <summary>The training run of one (optimizer, learning rate, seed).</summary>
    public TrainConfig Run(OptimizerKind optimizer, double lr, int seed) =>
        new()
        {
            Task = new TaskConfig
            {
                Kind = "modular",
                Modulus = Modulus,
                Operation = Operation,
                TrainFraction = TrainFraction,
            },
            Model = new MlpConfig
            {
                Widths = [2 * Modulus, Width, Modulus],
                Activation = Activation.Quadratic,
                Bias = false,
                Parameterization = Parameterization.Standard,
            },
            Optimizer = new OptimizerConfig
            {
                Kind = optimizer,
                Lr = lr,
                Beta2 = Beta2,
                WeightDecay = WeightDecay,
                Gate = Gate,
            },
            Loss = LossKind.CrossEntropy,
            Steps = MaxSteps,
            LogEvery = EvaluateEvery,
            Seed = seed,
            RiskEstimate = false,
            StopAtTestMetric = Target,
        };
}
