using Tangent.Memorization;

namespace Tangent.Tests.Memorization;

/// <summary>
/// The Feldman–Zhang estimator against its definition, mem_i = P̂(correct | in) − P̂(correct | out), computed by brute
/// force over a list of random models, and its undefined cases.
/// </summary>
public class FeldmanZhangEstimatorTests
{
    [Fact]
    public void ScoresMatchTheDefinitionByBruteForce()
    {
        var rng = new Random(7);
        const int n = 12,
            models = 40;
        var members = new List<bool[]>();
        var correct = new List<bool[]>();
        var estimator = new FeldmanZhangEstimator(n);
        for (int m = 0; m < models; m++)
        {
            var inSet = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.7).ToArray();
            // Correct more often when trained on: a memorized example.
            var hit = Enumerable
                .Range(0, n)
                .Select(i => rng.NextDouble() < (inSet[i] ? 0.9 : 0.3 + 0.05 * i))
                .ToArray();
            members.Add(inSet);
            correct.Add(hit);
            estimator.Push(inSet, hit);
        }
        var scores = estimator.Scores();
        for (int i = 0; i < n; i++)
        {
            var ins = Enumerable.Range(0, models).Where(m => members[m][i]).ToList();
            var outs = Enumerable.Range(0, models).Where(m => !members[m][i]).ToList();
            double expected =
                ins.Count(m => correct[m][i]) / (double)ins.Count - outs.Count(m => correct[m][i]) / (double)outs.Count;
            Assert.Equal(expected, scores[i], 14);
        }
        Assert.Equal(models, estimator.Models);
    }

    [Fact]
    public void AnExampleNeverLeftOutHasNoScore()
    {
        var estimator = new FeldmanZhangEstimator(2);
        estimator.Push([true, true], [true, false]);
        estimator.Push([true, false], [true, true]);
        var s = estimator.Scores();
        Assert.True(double.IsNaN(s[0]));
        Assert.Equal(0 - 1, s[1]);
        Assert.Equal(1, estimator.OutCount(1));
    }

    [Fact]
    public void MismatchedFlagsAreRejected() =>
        Assert.Throws<ArgumentException>(() => new FeldmanZhangEstimator(3).Push([true, false], [true, false, true]));
}
