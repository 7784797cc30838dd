using System.Text.Json;
using Tangent.Store;
using Tangent.Studies;
using Tangent.Training;

namespace Tangent.Tests.Studies;

/// <summary>The grokking benchmark completes and reports what it measured (a reduced quick preset, for CI
/// time).</summary>
public class GrokkingBenchmarkTests
{
    [Fact]
    public void ReducedQuickPresetCompletesWithEveryField()
    {
        using var dir = new TempDir();
        var config = GrokkingConfig.Preset("quick") with
        {
            Seeds = 1,
            LearningRates = [0.01],
            MaxSteps = 1200,
            Gate = GateKind.Snr,
        };
        var run = RunDirectory.Create(dir.File("run"), "grokking", config, 0, false);
        var summary = GrokkingBenchmark.Run(config, run).ToDictionary(kv => kv.Key, kv => kv.Value);
        run.Complete();
        Assert.Equal(0.01, summary["adamw_best_lr"]);
        Assert.NotNull(summary["adamw_median_steps"]); // AdamW groks add mod 23 in about 800 steps
        Assert.True((double)summary["adamw_median_steps"]! <= 1200);
        Assert.True(summary.ContainsKey("speedup_adamw_over_snr"));
        Assert.Equal(GrokkingBenchmark.ReportedRatio, (double)summary["reported_speedup"]!, 10);
        // header + one run per optimizer
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run.Path, "metrics.csv")).Length);
        Assert.True(File.Exists(Path.Combine(run.Path, "figures", "grokking.png")));
        Assert.Contains("29,450", File.ReadAllText(Path.Combine(run.Path, "report.html")));
    }

    [Fact]
    public void UnknownPresetIsRefused() =>
        Assert.Equal("--preset", Assert.Throws<ConfigException>(() => GrokkingConfig.Preset("huge")).Field);
}
