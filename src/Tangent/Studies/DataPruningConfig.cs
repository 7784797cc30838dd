using Tangent.Data;
using Tangent.Memorization;
using Tangent.Models;

namespace Tangent.Studies;

/// <summary>
/// Settings of the data-pruning study: keep a fraction of a Fashion-MNIST training set ranked by a per-example score,
/// against random pruning, and measure test accuracy and the memorization of the long tail; every number with its
/// source.
/// </summary>
public sealed record DataPruningConfig
{
    /// <summary>Directory of the Fashion-MNIST IDX files.</summary>
    public string Data { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>Training images n, the set the scores rank (Paul et al. 2021: CIFAR-10's 50,000; the memorization
    /// study's 1,000, so that the Feldman–Zhang models fit 2 cores).</summary>
    public int TrainSamples { get; init; } = 1000;

    /// <summary>Held-out images m.</summary>
    public int TestSamples { get; init; } = 2000;

    /// <summary>Hidden width of the MLP 784 → width → 10 (ReLU, He initialization, as in the memorization
    /// study).</summary>
    public int Width { get; init; } = 256;

    /// <summary>AdamW's step for every fit (as in the memorization study, 1e-3).</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>Feldman–Zhang scores: models trained on random subsets (F&amp;Z used thousands; the memorization
    /// study 30).</summary>
    public int SubsetModels { get; init; } = 16;

    /// <summary>Feldman–Zhang scores: the subset share (F&amp;Z: 0.7).</summary>
    public double SubsetShare { get; init; } = 0.7;

    /// <summary>Budget of the fits to interpolation (the subset models and the self-influence run): full-batch AdamW
    /// until every label is fitted.</summary>
    public int FitSteps { get; init; } = 3000;

    /// <summary>EL2N and GraNd: independent initializations averaged (Paul et al.: 10).</summary>
    public int EarlySeeds { get; init; } = 4;

    /// <summary>EL2N at this step of a retraining run (Paul et al.: epoch 20 of 200, a tenth of training); GraNd at
    /// initialization (Paul et al.'s "GraNd at initialization").</summary>
    public int EarlySteps { get; init; } = 100;

    /// <summary>Fractions of the training set kept (Paul et al. prune up to half of CIFAR-10 at no cost).</summary>
    public IReadOnlyList<double> KeepFractions { get; init; } = [0.7, 0.5, 0.3];

    /// <summary>Keep the highest-scoring (hardest) examples, Paul et al.'s rule; false keeps the easiest (Sorscher et
    /// al. 2022: better when data are scarce).</summary>
    public bool KeepHardest { get; init; } = true;

    /// <summary>Retraining: minibatch AdamW steps T, the same for every kept fraction (equal compute).</summary>
    public int RetrainSteps { get; init; } = 1000;

    /// <summary>Retraining: batch size b.</summary>
    public int RetrainBatch { get; init; } = 128;

    /// <summary>Retraining: model seeds per (score, fraction); random pruning draws a new subset per seed.</summary>
    public int RetrainSeeds { get; init; } = 2;

    /// <summary>The long tail: this top share of the training set by Feldman–Zhang score (F&amp;Z's high-memorization
    /// examples).</summary>
    public double TailShare { get; init; } = 0.1;

    /// <summary>"A score beats random at half kept": the fraction compared.</summary>
    public double CompareFraction { get; init; } = 0.5;

    /// <summary>Paired z-score a difference must exceed (2.5: one-sided 5 % with a Bonferroni correction over four
    /// scores, z = Φ⁻¹(1 − 0.0125) = 2.24, rounded up).</summary>
    public double SignificanceZ { get; init; } = 2.5;

    /// <summary>The theory's quantities "track" a measurement across runs: Spearman ρ at least this (Tangent's choice,
    /// 0.5).</summary>
    public double MinRankCorrelation { get; init; } = 0.5;

    /// <summary>Seed (scores s + 100…, early runs s + 300…, retraining s + 1000…).</summary>
    public long Seed { get; init; }

    /// <summary>Checks the config; a <see cref="ConfigException"/> names the field.</summary>
    public DataPruningConfig Validate()
    {
        ConfigException.Require(
            TrainSamples >= 50,
            "train_samples",
            $"must be at least 50, got {TrainSamples}",
            "use e.g. 2000"
        );
        ConfigException.Require(
            TestSamples >= 10,
            "test_samples",
            $"must be at least 10, got {TestSamples}",
            "use 2000"
        );
        ConfigException.Require(Width >= 1, "width", $"must be positive, got {Width}", "use e.g. 256");
        ConfigException.Require(Lr > 0, "lr", $"must be positive, got {Lr}", "use 0.001");
        ConfigException.Require(
            SubsetModels >= 4,
            "subset_models",
            $"need at least 4, got {SubsetModels}",
            "use e.g. 16"
        );
        ConfigException.Require(
            SubsetShare is > 0 and < 1,
            "subset_share",
            $"must be in (0, 1), got {SubsetShare}",
            "use 0.7"
        );
        ConfigException.Require(FitSteps >= 25, "fit_steps", $"must be at least 25, got {FitSteps}", "use 3000");
        ConfigException.Require(EarlySeeds >= 1, "early_seeds", $"must be positive, got {EarlySeeds}", "use 4");
        ConfigException.Require(
            EarlySteps >= 1 && EarlySteps <= RetrainSteps,
            "early_steps",
            $"must be in [1, retrain_steps], got {EarlySteps}",
            "use a tenth of retrain_steps"
        );
        ConfigException.Require(
            KeepFractions.Count >= 1
                && KeepFractions.All(f => f is > 0 and < 1)
                && KeepFractions.Distinct().Count() == KeepFractions.Count,
            "keep_fractions",
            "needs distinct fractions in (0, 1)",
            "use e.g. [0.7, 0.5, 0.3]"
        );
        ConfigException.Require(
            KeepFractions.Contains(CompareFraction),
            "compare_fraction",
            $"{CompareFraction} is not one of keep_fractions",
            "add it to keep_fractions or use 0.5"
        );
        ConfigException.Require(
            RetrainSteps >= 25,
            "retrain_steps",
            $"must be at least 25, got {RetrainSteps}",
            "use 1000"
        );
        ConfigException.Require(
            RetrainBatch >= 2 && RetrainBatch <= KeepFractions.Min() * TrainSamples,
            "retrain_batch",
            $"must be in [2, the smallest kept set], got {RetrainBatch}",
            "use e.g. 128"
        );
        ConfigException.Require(RetrainSeeds >= 1, "retrain_seeds", $"must be positive, got {RetrainSeeds}", "use 2");
        ConfigException.Require(
            TailShare > 0 && TailShare <= KeepFractions.Min(),
            "tail_share",
            $"must be in (0, the smallest keep fraction], got {TailShare}",
            "use 0.1"
        );
        ConfigException.Require(
            SignificanceZ > 0,
            "significance_z",
            $"must be positive, got {SignificanceZ}",
            "use 2.5"
        );
        ConfigException.Require(
            MinRankCorrelation is > -1 and < 1,
            "min_rank_correlation",
            $"must be in (−1, 1), got {MinRankCorrelation}",
            "use 0.5"
        );
        return this;
    }

    /// <summary>The network: 784 → width → 10, ReLU, He initialization (as in the memorization study).</summary>
    public MlpConfig Network() =>
        new()
        {
            Widths = [FashionMnist.Pixels, Width, 10],
            WeightStd = Math.Sqrt(2),
            BiasStd = 0.1,
        };

    /// <summary>A fit to interpolation (Feldman–Zhang subsets; the self-influence run).</summary>
    public LabelFitSettings Interpolation(bool selfInfluence = false) =>
        new()
        {
            Lr = Lr,
            Steps = FitSteps,
            SelfInfluence = selfInfluence,
        };

    /// <summary>A retraining run on a kept set (also the early runs, cut at <see cref="EarlySteps"/>): minibatch, a
    /// fixed budget, R̂ and the self-influence along it.</summary>
    public LabelFitSettings Retrain(int? steps = null) =>
        new()
        {
            Lr = Lr,
            Steps = steps ?? RetrainSteps,
            BatchSize = RetrainBatch,
            StopWhenFitted = false,
            SelfInfluence = steps is null,
            RiskEstimate = steps is null,
        };

    /// <summary>A score's advantage over random, as a paired z-score, at least <see cref="SignificanceZ"/>.</summary>
    public Criterion BeatsRandom() =>
        new("paired z of (best score − random) test accuracy", Comparison.AtLeast, SignificanceZ, "significance_z");

    /// <summary>The tail's memorization gain with pruning, as a paired z-score.</summary>
    public Criterion TailRises() =>
        new(
            "paired z of the tail's p(y|x), smallest fraction − all",
            Comparison.AtLeast,
            SignificanceZ,
            "significance_z"
        );

    /// <summary>A rank correlation across runs at least <see cref="MinRankCorrelation"/>.</summary>
    public Criterion Tracks(string what) =>
        new($"Spearman ρ, {what}", Comparison.AtLeast, MinRankCorrelation, "min_rank_correlation");
}
