using System.Text.Json;
using Tangent.Sweeps;

namespace Tangent.Tests.Sweeps;

/// <summary>Planning a sweep: the issue's form gives N = Π|axis| · seeds runs with stable ids, zipped axes vary
/// together, and every bad sweep file is refused at plan time with the field named.</summary>
public sealed class SweepPlannerTests
{
    private static string Write(TempDir dir, string sweep)
    {
        File.WriteAllText(dir.File("base.json"), SweepFixture.Base);
        File.WriteAllText(dir.File("sweep.json"), sweep);
        return dir.File("sweep.json");
    }

    private static JsonElement At(JsonElement config, string key) =>
        key.Split('.').Aggregate(config, (e, part) => e.GetProperty(part));

    [Fact]
    public void TheIssuesSweepFileGivesSixRunsWithStableIds()
    {
        using var dir = new TempDir();
        string path = Write(
            dir,
            """{"command": "train", "config": "base.json", "grid": {"optimizer.lr": [0.01, 0.1]}, "seeds": 3}"""
        );
        var plan = SweepPlanner.Plan(path);
        Assert.Equal(6, plan.Runs.Count);
        Assert.Equal(["optimizer.lr", "seed"], plan.Axes);
        Assert.Equal(6, plan.Runs.Select(r => r.Id).Distinct().Count());
        // Grid first (slowest), then seeds base + 0, 1, 2 (the base config's seed is 0).
        double[] lrs = [0.01, 0.01, 0.01, 0.1, 0.1, 0.1];
        long[] seeds = [0, 1, 2, 0, 1, 2];
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(i, plan.Runs[i].Index);
            Assert.Equal(lrs[i], At(plan.Runs[i].Config, "optimizer.lr").GetDouble());
            Assert.Equal(seeds[i], At(plan.Runs[i].Config, "seed").GetInt64());
            Assert.Equal(seeds[i], plan.Runs[i].Values["seed"].GetInt64());
            // The id is a hash of the resolved config: the run's config_hash begins with it.
            Assert.Equal(Tangent.Store.RunDirectory.HashOf(plan.Runs[i].Config)[..16], plan.Runs[i].Id);
        }
        var again = SweepPlanner.Plan(path);
        Assert.Equal(plan.Runs.Select(r => r.Id), again.Runs.Select(r => r.Id));
    }

    [Fact]
    public void ZippedAxesVaryTogetherAndMultiplyTheGrid()
    {
        using var dir = new TempDir();
        string path = Write(
            dir,
            """
            {"command": "train", "config": "base.json", "set": {"steps": 30},
             "grid": {"model.activation": ["relu", "tanh"]},
             "zip": {"task.train_samples": [8, 16, 32], "optimizer.lr": [0.4, 0.2, 0.1]}}
            """
        );
        var plan = SweepPlanner.Plan(path);
        Assert.Equal(6, plan.Runs.Count);
        foreach (var run in plan.Runs)
        {
            int n = At(run.Config, "task.train_samples").GetInt32();
            double lr = At(run.Config, "optimizer.lr").GetDouble();
            Assert.Equal(
                n switch
                {
                    8 => 0.4,
                    16 => 0.2,
                    _ => 0.1,
                },
                lr
            );
            Assert.Equal(30, At(run.Config, "steps").GetInt32());
        }
        Assert.Equal(["model.activation", "task.train_samples", "optimizer.lr"], plan.Axes);
    }

    [Theory]
    [InlineData(
        """{"command": "train", "config": "base.json", "grid": {"optimizer.lrr": [0.1]}}""",
        "grid.optimizer.lrr",
        "did you mean"
    )]
    [InlineData("""{"command": "train", "config": "base.json", "grid": {}}""", "grid", "is empty")]
    [InlineData(
        """{"command": "train", "config": "base.json", "grid": {"steps": []}}""",
        "grid.steps",
        "has no values"
    )]
    [InlineData(
        """{"command": "train", "config": "base.json", "grid": {"steps": ["many"]}}""",
        "grid.steps",
        "expected an integer"
    )]
    [InlineData("""{"command": "train", "config": "base.json", "grid": {"steps": [-1]}}""", "steps", "")]
    [InlineData("""{"command": "train", "config": "base.json", "grids": {"steps": [1]}}""", "grids", "unknown key")]
    [InlineData(
        """{"command": "train", "config": "base.json", "zip": {"steps": [1, 2], "seed": [1]}}""",
        "zip.seed",
        "same length"
    )]
    [InlineData(
        """{"command": "train", "config": "base.json", "grid": {"seed": [1, 2]}, "seeds": 2}""",
        "seed",
        "seed key"
    )]
    [InlineData("""{"command": "train", "config": "base.json", "seeds": 0}""", "seeds", "at least 1")]
    [InlineData("""{"command": "train", "config": "base.json", "grid": {"steps": [5, 5]}}""", "grid", "same config")]
    [InlineData("""{"command": "train"}""", "config", "is required")]
    [InlineData("""{"command": "fit", "config": "base.json"}""", "command", "not a sweep command")]
    [InlineData("""{"command": "study", "study": "grokkin"}""", "NAME", "no study")]
    [InlineData(
        """{"command": "study", "study": "grokking", "grid": {"modulus": ["x"]}}""",
        "grid.modulus",
        "expected an integer"
    )]
    public void ABadSweepFileIsRefusedNamingTheField(string sweep, string field, string message)
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ConfigException>(() => SweepPlanner.Plan(Write(dir, sweep)));
        Assert.Equal(field, e.Field);
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AStudySweepSetsTheStudysSeedPerRun()
    {
        using var dir = new TempDir();
        string path = Write(
            dir,
            """{"command": "study", "study": "grokking", "preset": "quick", "set": {"steps": 50}, "seeds": 3}"""
        );
        var plan = SweepPlanner.Plan(path);
        Assert.Equal("grokking", plan.Study);
        Assert.Equal([0L, 1L, 2L], plan.Runs.Select(r => At(r.Config, "seed").GetInt64()));
        Assert.All(plan.Runs, r => Assert.Equal(50, At(r.Config, "steps").GetInt32()));
    }
}
