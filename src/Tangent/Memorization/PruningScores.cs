using Tangent.Kernels;
using static TorchSharp.torch;

namespace Tangent.Memorization;

/// <summary>
/// Per-example data-pruning scores of Paul, Ganguli &amp; Dziugaite (2021) and the rule that keeps a fraction of a
/// dataset by a score.
/// </summary>
public static class PruningScores
{
    /// <summary>EL2N_i = ‖softmax(f(x_i)) − e_{y_i}‖₂, the error's L2 norm, per row of <paramref
    /// name="logits"/> [n, C].</summary>
    public static double[] El2n(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var p = nn.functional.softmax(logits.to_type(ScalarType.Float64), 1);
        var y = nn.functional.one_hot(labels, logits.shape[1]).to_type(ScalarType.Float64);
        return (p - y).square().sum(1).sqrt().data<double>().ToArray();
    }

    /// <summary>GraNd_i = ‖∇_w ℓ(f(x_i), y_i)‖₂ over all parameters, ℓ the cross-entropy.</summary>
    public static double[] GraNd(nn.Module<Tensor, Tensor> model, Tensor x, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var squares = GradientStatistics.PreconditionedSquaredNorms(
            model,
            x,
            u => nn.functional.cross_entropy(u, labels, reduction: nn.Reduction.None),
            new NtkOptions { BlockElements = 1L << 24 }
        );
        return squares.to_type(ScalarType.Float64).sqrt().data<double>().ToArray();
    }

    /// <summary>
    /// The indices (ascending) of the ⌈f·n⌉ examples with the highest scores (<paramref name="hardest"/>: Paul et al.
    /// keep the hard examples and prune the easy ones) or the lowest; ties go to the lower index; NaN scores
    /// are kept last.
    /// </summary>
    public static int[] Keep(IReadOnlyList<double> score, double fraction, bool hardest)
    {
        if (fraction is <= 0 or > 1)
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "must be in (0, 1]");
        int n = score.Count,
            k = (int)Math.Ceiling(fraction * n - 1e-9);
        double Key(int i) => double.IsNaN(score[i]) ? double.NegativeInfinity : score[i];
        var order = hardest
            ? Enumerable.Range(0, n).OrderByDescending(Key).ThenBy(i => i)
            : Enumerable
                .Range(0, n)
                .OrderBy(i => double.IsNaN(score[i]) ? double.PositiveInfinity : score[i])
                .ThenBy(i => i);
        return order.Take(k).Order().ToArray();
    }
}
