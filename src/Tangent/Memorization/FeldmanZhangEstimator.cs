using Tangent.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Memorization;

/// <summary>
/// Feldman &amp; Zhang's (2020) subsampled memorization estimate, as a mergeable accumulator: each model trained on a
/// random subset adds, per example, whether it was in the subset and whether the model labels it correctly; then
/// mem_i = P̂(correct_i | i ∈ subset) − P̂(correct_i | i ∉ subset).
/// </summary>
public sealed class FeldmanZhangEstimator
{
    private readonly double[] _inCorrect,
        _inCount,
        _outCorrect,
        _outCount;

    /// <summary>An estimator over <paramref name="n"/> examples, with no models yet.</summary>
    public FeldmanZhangEstimator(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        (_inCorrect, _inCount, _outCorrect, _outCount) = (new double[n], new double[n], new double[n], new double[n]);
    }

    /// <summary>Number of examples.</summary>
    public int Count => _inCount.Length;

    /// <summary>Models pushed so far.</summary>
    public int Models { get; private set; }

    /// <summary>Adds one model: <paramref name="inSubset"/>[i] (trained on i) and <paramref name="correct"/>[i] (its
    /// prediction for i is the label).</summary>
    public void Push(IReadOnlyList<bool> inSubset, IReadOnlyList<bool> correct)
    {
        if (inSubset.Count != Count || correct.Count != Count)
            throw new ArgumentException($"need {Count} membership and correctness flags");
        for (int i = 0; i < Count; i++)
        {
            double hit = correct[i] ? 1 : 0;
            if (inSubset[i])
                (_inCount[i], _inCorrect[i]) = (_inCount[i] + 1, _inCorrect[i] + hit);
            else
                (_outCount[i], _outCorrect[i]) = (_outCount[i] + 1, _outCorrect[i] + hit);
        }
        Models++;
    }

    /// <summary>mem_i = (#correct while in)/(#in) − (#correct while out)/(#out); NaN for an example that was never
    /// in or never out of a subset.</summary>
    public double[] Scores() =>
        Enumerable
            .Range(0, Count)
            .Select(i =>
                _inCount[i] > 0 && _outCount[i] > 0
                    ? _inCorrect[i] / _inCount[i] - _outCorrect[i] / _outCount[i]
                    : double.NaN
            )
            .ToArray();

    /// <summary>How many models left example i out (its estimate's out-sample size).</summary>
    public double OutCount(int i) => _outCount[i];

    /// <summary>
    /// Feldman &amp; Zhang's estimate on (x, labels): <paramref name="models"/> networks, each fitted by <see
    /// cref="LabelFit"/> on a random subset that holds every example with probability <paramref name="share"/>
    /// (masks drawn in turn from <paramref name="generator"/>; model m seeded with <paramref name="seed"/> + m), then
    /// asked for the label of every example. <paramref name="onModel"/>(m) is called before model m.
    /// </summary>
    public static FeldmanZhangEstimator Estimate(
        LabelFitSettings settings,
        MlpConfig model,
        Tensor x,
        Tensor labels,
        int models,
        double share,
        Generator generator,
        long seed,
        Action<int>? onModel,
        CancellationToken cancel
    )
    {
        int n = (int)x.shape[0];
        var estimator = new FeldmanZhangEstimator(n);
        for (int m = 0; m < models; m++)
        {
            cancel.ThrowIfCancellationRequested();
            onModel?.Invoke(m);
            using var scope = NewDisposeScope();
            var member = rand(new long[] { n }, dtype: ScalarType.Float64, generator: generator).lt(share);
            var idx = member.nonzero().reshape(-1);
            var fit = LabelFit.Run(
                settings,
                model,
                x.index_select(0, idx),
                labels.index_select(0, idx),
                seed + m,
                cancel
            );
            using (no_grad())
                estimator.Push(
                    member.data<bool>().ToArray(),
                    fit.Net.call(x).argmax(1).eq(labels).data<bool>().ToArray()
                );
        }
        return estimator;
    }
}
