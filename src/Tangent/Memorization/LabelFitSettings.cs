namespace Tangent.Memorization;

/// <summary>How <see cref="LabelFit"/> trains a classifier: AdamW on cross-entropy, full batch or minibatch, for a
/// step budget or until every training label is fitted.</summary>
public sealed record LabelFitSettings
{
    /// <summary>AdamW's step η.</summary>
    public double Lr { get; init; } = 1e-3;

    /// <summary>The step budget T.</summary>
    public int Steps { get; init; } = 3000;

    /// <summary>Minibatch size b (0: full batch).</summary>
    public int BatchSize { get; init; }

    /// <summary>Stop at the first check at which every training label is the argmax.</summary>
    public bool StopWhenFitted { get; init; } = true;

    /// <summary>Accumulate each example's self-influence along the run.</summary>
    public bool SelfInfluence { get; init; }

    /// <summary>Track the validation-free risk estimate R̂ (THEORY §5; needs minibatches to be more than the
    /// training loss).</summary>
    public bool RiskEstimate { get; init; }

    /// <summary>Steps between fit checks and self-influence samples (each sample weighted by this many
    /// steps).</summary>
    public int CheckEvery { get; init; } = 25;
}
