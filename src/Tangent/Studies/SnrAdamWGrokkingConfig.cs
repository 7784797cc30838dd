namespace Tangent.Studies;

/// <summary>
/// Settings of the SnrAdamW study's grokking-transformer experiment (Power et al. 2022; the preprint's reported
/// setting): modular division a·b⁻¹ mod p as token sequences [a, b, =], a decoder-only transformer, AdamW against
/// the SnrAdamW gates with the same hyperparameters and learning-rate grid.
/// </summary>
public sealed record SnrAdamWGrokkingConfig
{
    /// <summary>The prime modulus p (Power et al.: 97).</summary>
    public int Modulus { get; init; } = 97;

    /// <summary>Shares of the p(p − 1) pairs used for training (the reported 25 %, and 50 %).</summary>
    public IReadOnlyList<double> TrainFractions { get; init; } = [0.25, 0.5];

    /// <summary>Model width d (Power et al.: 128).</summary>
    public int Width { get; init; } = 128;

    /// <summary>Transformer blocks (Power et al.: 2).</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads (Power et al.: 4).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>
    /// Optimizers compared: "adamw" and the SnrAdamW gates "soft", "snr", "hard", "exact" (per-example gradient
    /// moments, α = 1/(b − 1)) and "exact_finite" (the finite-data variant α = b/(n − b)).
    /// </summary>
    public IReadOnlyList<string> Arms { get; init; } = ["adamw", "soft", "snr", "hard", "exact", "exact_finite"];

    /// <summary>The learning-rate grid every optimizer is tuned over (the reported lr is 1e-3).</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [1e-3];

    /// <summary>Adam β₂ (reported: 0.98).</summary>
    public double Beta2 { get; init; } = 0.98;

    /// <summary>Decoupled weight decay (reported: 1).</summary>
    public double WeightDecay { get; init; } = 1.0;

    /// <summary>Minibatch size (reported: 512).</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>Linear learning-rate warm-up steps (reported: 10).</summary>
    public int WarmupSteps { get; init; } = 10;

    /// <summary>Step budget per run (the reported runs go to about 10⁵).</summary>
    public int MaxSteps { get; init; } = 100_000;

    /// <summary>A separate, smaller budget for the exact gates, whose per-example moments cost far more per step
    /// (0: the same as <see cref="MaxSteps"/>).</summary>
    public int ExactMaxSteps { get; init; }

    /// <summary>Steps between evaluations of the train and held-out accuracy.</summary>
    public int EvaluateEvery { get; init; } = 100;

    /// <summary>Training accuracy that counts as memorized (99 %).</summary>
    public double TrainTarget { get; init; } = 0.99;

    /// <summary>Held-out accuracy that counts as grokked (95 %); a run stops there.</summary>
    public double HeldOutTarget { get; init; } = 0.95;

    /// <summary>Seeds per (optimizer, fraction, learning rate); medians are over them.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Steps between checkpoints of each run, so an interrupted study resumes mid-run.</summary>
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>
    /// Steps between samples of the update's channel/reservoir split (0: none). A sample takes the Jacobian of the
    /// per-example losses on <see cref="SplitRows"/> fixed training pairs, one backward pass a row. A sub-run that
    /// samples keeps its samples only when it finishes: interrupted, it starts again (the 10⁵-step paper runs
    /// therefore sample none, and resume mid-run).
    /// </summary>
    public int SplitEvery { get; init; }

    /// <summary>Training pairs m whose per-example losses define the split's output space.</summary>
    public int SplitRows { get; init; } = 128;

    /// <summary>Steps between the population-risk estimate's increments (each stands for its k steps; the
    /// per-example pass costs about 20 steps of this model).</summary>
    public int RiskEvery { get; init; } = 50;

    /// <summary>Training dtype: "float32" (2.7× faster for this model on this machine) or "float64".</summary>
    public string Dtype { get; init; } = "float32";

    /// <summary>Throws a <see cref="ConfigException"/> naming the first bad field.</summary>
    public SnrAdamWGrokkingConfig Validate()
    {
        const string f = "grokking";
        ConfigException.Require(
            Modulus >= 3 && Modulus <= 499 && Enumerable.Range(2, Modulus - 2).All(d => Modulus % d != 0),
            $"{f}.modulus",
            $"division needs a prime modulus between 3 and 499, got {Modulus}",
            "use 97"
        );
        ConfigException.Require(
            TrainFractions.Count > 0 && TrainFractions.All(x => x > 0 && x < 1),
            $"{f}.train_fractions",
            "need at least one fraction in (0, 1)",
            "use [0.25, 0.5]"
        );
        ConfigException.Require(
            Width >= 4 && Heads >= 1 && Width % Heads == 0 && Layers >= 1,
            $"{f}.width",
            $"need width ≥ 4 divisible by heads ≥ 1 and layers ≥ 1, got width {Width}, heads {Heads}",
            "use width 128, 4 heads, 2 layers"
        );
        string[] known = ["adamw", "soft", "snr", "hard", "exact", "exact_finite"];
        var unknown = Arms.FirstOrDefault(a => !known.Contains(a));
        ConfigException.Require(
            unknown is null,
            $"{f}.arms",
            $"unknown optimizer '{unknown}'",
            $"use some of {string.Join(", ", known)}"
        );
        ConfigException.Require(
            Arms.Contains("adamw") && Arms.Count >= 2 && Arms.Distinct().Count() == Arms.Count,
            $"{f}.arms",
            "need adamw and at least one gate, each once",
            "use [\"adamw\", \"soft\"]"
        );
        ConfigException.Require(
            LearningRates.Count > 0 && LearningRates.All(lr => double.IsFinite(lr) && lr > 0),
            $"{f}.learning_rates",
            "need at least one positive learning rate",
            "use [0.001]"
        );
        ConfigException.Require(
            Beta2 > 0 && Beta2 < 1 && WeightDecay >= 0 && BatchSize >= 2 && WarmupSteps >= 0,
            $"{f}.batch_size",
            "need 0 < beta2 < 1, weight_decay ≥ 0, batch_size ≥ 2 and warmup_steps ≥ 0",
            "use beta2 0.98, weight_decay 1, batch_size 512, warmup_steps 10"
        );
        ConfigException.Require(
            MaxSteps >= 1 && ExactMaxSteps >= 0 && EvaluateEvery >= 1 && EvaluateEvery <= MaxSteps,
            $"{f}.evaluate_every",
            $"must be between 1 and max_steps ({MaxSteps}), with exact_max_steps ≥ 0",
            "use e.g. 100"
        );
        ConfigException.Require(
            TrainTarget > 0 && TrainTarget <= 1 && HeldOutTarget > 0 && HeldOutTarget <= 1,
            $"{f}.held_out_target",
            "accuracy targets must be in (0, 1]",
            "use train_target 0.99 and held_out_target 0.95"
        );
        ConfigException.Require(Seeds >= 1 && Seeds <= 100, $"{f}.seeds", $"must be 1–100, got {Seeds}", "use 1");
        ConfigException.Require(
            CheckpointEvery >= 0,
            $"{f}.checkpoint_every",
            $"must be ≥ 0, got {CheckpointEvery}",
            "use 1000"
        );
        ConfigException.Require(
            SplitEvery >= 0 && SplitRows >= 2 && SplitRows <= TrainFractions.Min(TrainPairs),
            $"{f}.split_rows",
            $"need split_every ≥ 0 and 2 ≤ split_rows ≤ the training pairs "
                + $"({TrainFractions.Min(TrainPairs)}), got "
                + $"split_every {SplitEvery}, split_rows {SplitRows}",
            "use split_rows 128, or fewer for a small modulus"
        );
        ConfigException.Require(RiskEvery >= 1, $"{f}.risk_every", $"must be ≥ 1, got {RiskEvery}", "use 50");
        ConfigException.Require(
            Dtype is "float32" or "float64",
            $"{f}.dtype",
            $"unknown dtype '{Dtype}'",
            "use float32 or float64"
        );
        var small = TrainFractions.FirstOrDefault(x => TrainPairs(x) <= BatchSize);
        ConfigException.Require(
            !Arms.Contains("exact_finite") || small == 0,
            $"{f}.arms",
            $"exact_finite's α = b/(n − b) needs more training pairs than batch_size ({BatchSize}); "
                + $"{small:P0} of the pairs is {TrainPairs(small)}",
            "drop exact_finite or lower batch_size"
        );
        return this;
    }

    /// <summary>Training pairs n at <paramref name="fraction"/>: round(fraction · p(p − 1)), as the modular task
    /// draws them.</summary>
    public int TrainPairs(double fraction) => (int)Math.Round(fraction * Modulus * (Modulus - 1));

    /// <summary>The step budget of <paramref name="arm"/>.</summary>
    public int BudgetOf(string arm) => arm.StartsWith("exact") && ExactMaxSteps > 0 ? ExactMaxSteps : MaxSteps;
}
