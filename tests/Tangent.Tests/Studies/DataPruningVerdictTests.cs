using Tangent.Studies;

namespace Tangent.Tests.Studies;

/// <summary>
/// The data-pruning verdicts on hand-made runs with known answers (a score that keeps the right examples against one
/// that keeps the wrong ones), and the paired z-score against its closed form.
/// </summary>
public class DataPruningVerdictTests
{
    private const int M = 400;

    /// <summary>Test correctness with a given number of hits among M, and a tail of 20 with given p(y|x).</summary>
    private static DataPruningStudy.Pruned P(
        string score,
        double f,
        int hits,
        double tailP,
        double si,
        double risk,
        double loss
    ) =>
        new(
            score,
            f,
            (int)(1000 * f),
            hits / (double)M,
            loss,
            risk,
            20,
            tailP,
            tailP,
            si,
            f * 1000,
            Enumerable.Range(0, M).Select(j => j < hits ? 1.0 : 0.0).ToArray(),
            Enumerable.Range(0, 20).Select(j => tailP + 0.01 * (j % 3)).ToArray()
        );

    private static Dictionary<string, bool?> Judge(
        DataPruningStudy.Pruned all,
        IReadOnlyList<DataPruningStudy.Pruned> rows
    )
    {
        var c = new DataPruningConfig { KeepFractions = [0.5, 0.3] };
        return DataPruningStudy.Verdicts(c, all, rows).ToDictionary(v => v.Name, v => v.Holds);
    }

    /// <summary>Arm k of a fraction has a slightly higher tail p(y|x) and test loss than arm k − 1; its SI and R̂ move
    /// the same way (<paramref name="within"/> = 1) or the other way (−1).</summary>
    private static List<DataPruningStudy.Pruned> Rows(
        int scoreHits,
        double tailAtSmallest,
        double si,
        double risk,
        int within = 1
    )
    {
        var rows = new List<DataPruningStudy.Pruned>();
        foreach (var (s, k) in DataPruningStudy.ScoreNames.Select((s, k) => (s, k)))
        {
            int hits = s == "random" ? 300 : scoreHits;
            double dp = 0.01 * k,
                dm = 0.001 * within * k;
            rows.Add(P(s, 0.5, hits, 0.5 + dp, 2 * si + dm, 1.0 * risk + dm, 1.0 + dp));
            rows.Add(P(s, 0.3, hits - 10, tailAtSmallest + dp, 3 * si + dm, 1.2 * risk + dm, 1.2 + dp));
        }
        return rows;
    }

    [Fact]
    public void AGoodScoreARisingTailAndTrackingTheoryHoldEveryVerdict()
    {
        var all = P("all", 1, 320, 0.3, 1, 0.8, 0.8);
        var v = Judge(all, Rows(scoreHits: 340, tailAtSmallest: 0.7, si: 1, risk: 1));
        Assert.All(v, kv => Assert.True(kv.Value == true, kv.Key));
        Assert.Equal(6, v.Count);
    }

    [Fact]
    public void ABadScoreAFallingTailAndOpposedTheoryFailEveryVerdict()
    {
        // Every score keeps 60 fewer correct test images than random; the tail's p(y|x) falls; SI and R̂ move the other
        // way from what they should track.
        var all = P("all", 1, 320, 0.6, 5, 3, 0.8);
        var v = Judge(all, Rows(scoreHits: 240, tailAtSmallest: 0.2, si: 10, risk: -1, within: -1));
        Assert.All(v, kv => Assert.True(kv.Value == false, kv.Key));
    }

    [Fact]
    public void PairedZIsTheMeanDifferenceOverItsStandardError()
    {
        // d = (1, 0, 1, 0): mean ½, sample sd √(1/3), z = ½ / (√(1/3)/2) = √3.
        Assert.Equal(Math.Sqrt(3), DataPruningStudy.PairedZ([1, 1, 1, 0], [0, 1, 0, 0]), 12);
        Assert.Equal(0, DataPruningStudy.PairedZ([1, 0], [1, 0]));
        Assert.True(double.IsNaN(DataPruningStudy.PairedZ([1, double.NaN], [0, 1])));
    }
}
