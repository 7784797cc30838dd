using Tangent.Compare;
using Tangent.Store;
using Tangent.Tests.Sweeps;

namespace Tangent.Tests.Compare;

/// <summary><c>tangent runs</c> and <c>tangent compare</c> against runs whose configs and summaries are known: the
/// listing has every run (failed ones with their reason), the config diff is exactly the keys that were changed,
/// the summaries and verdicts side by side are the runs' own values, and the curves are the shared metrics
/// columns.</summary>
public sealed class RunComparisonTests
{
    private static string Train(TempDir dir, string name, double lr, int expected = 0)
    {
        string config = dir.File($"{name}.json");
        File.WriteAllText(config, SweepFixture.Base.Replace("\"lr\": 0.2", $"\"lr\": {lr}"));
        SweepFixture.Cli(["train", "--config", config, "--out", dir.File(Path.Combine("runs", name))], expected);
        return dir.File(Path.Combine("runs", name));
    }

    [Fact]
    public void RunsListsEveryRunWithItsStatusAndReason()
    {
        using var dir = new TempDir();
        Train(dir, "slow", 0.1);
        Train(dir, "fast", 0.3);
        Train(dir, "diverged", 1e6, expected: 1);
        string output = SweepFixture.Cli(["runs", dir.File("runs")]);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("run ", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("slow ") && l.Contains("done") && l.Contains("final_train_loss"));
        Assert.Contains(lines, l => l.StartsWith("diverged ") && l.Contains("failed: training diverged"));
        Assert.Equal("3 runs: 2 done, 1 failed", lines[^1]);
        string failedOnly = SweepFixture.Cli(["runs", dir.File("runs"), "--status", "failed"]);
        Assert.Contains("1 runs: 1 failed", failedOnly);
        Assert.DoesNotContain("slow", failedOnly);
    }

    [Fact]
    public void CompareDiffsTheConfigsAndSetsTheSummariesSideBySide()
    {
        using var dir = new TempDir();
        string a = Train(dir, "a", 0.1),
            b = Train(dir, "b", 0.3);
        var comparison = RunComparison.Of([a, b]);
        // Only the learning rate was changed.
        var diff = Assert.Single(comparison.ConfigDifferences);
        Assert.Equal("optimizer.lr", diff.Key);
        Assert.Equal(["0.1", "0.3"], diff.Value);
        var lossA = (double)
            Json.ReadSummary(Path.Combine(a, "summary.json")).First(kv => kv.Key == "final_test_loss").Value!;
        var row = comparison.Summaries.First(kv => kv.Key == "final_test_loss");
        Assert.Equal(lossA.ToString("G6", System.Globalization.CultureInfo.InvariantCulture), row.Value[0]);
        string output = SweepFixture.Cli(["compare", a, b, "--out", dir.File("cmp")]);
        Assert.Contains("optimizer.lr: 0.1 | 0.3", output);
        var summary = Json.ReadSummary(dir.File("cmp/summary.json")).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(1.0, summary["config_differences"]);
        // One overlaid figure per shared metrics column with values (train and test loss among them).
        var columns = File.ReadLines(Path.Combine(a, "metrics.csv")).First().Split(',');
        Assert.True((double)summary["figures"]! >= 2);
        Assert.True(File.Exists(dir.File("cmp/figures/compare_test_loss.png")));
        Assert.True((double)summary["figures"]! <= columns.Length - 1);
        Assert.Contains("Config: the keys that differ", File.ReadAllText(dir.File("cmp/report.html")));
    }

    [Fact]
    public void TheVerdictsOfTwoStudyRunsGoSideBySide()
    {
        using var dir = new TempDir();
        string[] paths = [dir.File("s1"), dir.File("s2")];
        string[] holds = ["holds", "fails"];
        for (int i = 0; i < 2; i++)
        {
            var run = RunDirectory.Create(paths[i], "grokking", new { seed = i }, i, overwrite: false);
            string measured = $"delay {10 * (i + 1)}x";
            run.WriteSummary([new("verdict_groks", holds[i]), new("verdict_groks_measured", measured)]);
            run.Complete();
        }
        var report = RunComparison.Of(paths).Report(out _).Build();
        Assert.Contains("<td>groks</td><td>holds (delay 10x)</td><td>fails (delay 20x)</td>", report);
        Assert.Contains("<td>seed</td><td>0</td><td>1</td>", report);
    }

    [Fact]
    public void CompareNeedsTwoRuns()
    {
        using var dir = new TempDir();
        string a = Train(dir, "a", 0.1);
        var stderr = new StringWriter();
        Assert.Equal(2, Tangent.Cli.TangentCli.Run(["compare", a], new StringWriter(), stderr));
        Assert.Contains("RUN: got 1 run; pass two or more run directories", stderr.ToString());
    }
}
