using System.Globalization;
using System.Text.Json;
using Tangent.Cli;
using Tangent.Studies;

namespace Tangent.Tests.Studies;

/// <summary>
/// The snr-adamw study's verdicts against its own recorded curves: the iterations to the target are the first
/// evaluated step whose relative error on the test grid is at or below it, the speed-up is their ratio, and the verdict
/// holds exactly when that ratio reaches the configured threshold.
/// </summary>
public class SnrAdamWStudyTests
{
    [Fact]
    public void TheSpeedupVerdictFollowsTheRecordedCurves()
    {
        using var dir = new TempDir();
        var stderr = new StringWriter();
        int code = TangentCli.Run(
            [
                "study",
                "snr-adamw",
                "--set",
                """pinn={"interior": 64, "initial": 16, "boundary": 8, "grid_x": 16, "grid_t": 6}""",
                "--set",
                "widths=[2,16,16,1]",
                "--set",
                "learning_rates=[0.01]",
                "--set",
                """gates=["soft"]""",
                "--set",
                "max_steps=200",
                "--set",
                "evaluate_every=10",
                "--set",
                "split_every=20",
                "--set",
                "split_rows=12",
                "--set",
                "target=0.6",
                "--out",
                dir.File("run"),
            ],
            new StringWriter(),
            stderr
        );
        Assert.True(code == 0, stderr.ToString());
        string run = dir.File("run");
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;
        var rows = File.ReadAllLines(Path.Combine(run, "metrics.csv"))
            .Skip(1)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        double? FirstAtTarget(int arm) =>
            rows.Where(r => r[0] == arm && r[4] <= 0.6).Select(r => (double?)r[3]).FirstOrDefault();
        double? adam = FirstAtTarget(0),
            soft = FirstAtTarget(1);
        double? Field(string name) =>
            summary.GetProperty(name).ValueKind == JsonValueKind.Null ? null : summary.GetProperty(name).GetDouble();
        Assert.Equal(adam, Field("adamw_median_iterations"));
        Assert.Equal(soft, Field("soft_median_iterations"));
        Assert.Equal("soft", summary.GetProperty("best_gate").GetString());
        string verdict = summary.GetProperty("verdict_pinn_speedup").GetString()!;
        if (soft is null)
            Assert.Equal("undecided", verdict);
        else
        {
            double speedup = (adam ?? 201) / soft.Value;
            Assert.Equal(speedup, Field("speedup_adamw_over_snr")!.Value, 12);
            Assert.Equal(speedup >= 2 ? "holds" : "fails", verdict);
        }
        // Every evaluation starts from the same initialization: the step-0 errors of both arms are equal.
        Assert.Equal(rows.First(r => r[0] == 0)[4], rows.First(r => r[0] == 1)[4]);
        Assert.True(summary.TryGetProperty("verdict_gate_removes_reservoir_updates", out _));
        if (Field("removed_channel_share") is { } share)
            Assert.InRange(share, 0, 1);
        foreach (var figure in new[] { "pinn_error", "pinn_gate" })
            Assert.True(File.Exists(Path.Combine(run, "figures", figure + ".png")), figure);
    }

    [Fact]
    public void TheExactGateIsRefusedWithTheReason()
    {
        var config = (SnrAdamWConfig)StudyCatalog.Find("snr-adamw").Preset("quick");
        var e = Assert.Throws<ConfigException>(() =>
            (config with { Gates = [Tangent.Training.GateKind.Exact] }).Validate()
        );
        Assert.Equal("gates", e.Field);
        Assert.Contains("per-example gradients", e.Message);
    }

    /// <summary>
    /// The grokking experiment's summary against its own sub-runs: for every optimizer the steps to the train and
    /// held-out targets are the first logged steps of that sub-run's metrics.csv at or above them, the speed-up is
    /// AdamW's over the best gate's, and the verdict holds exactly when it reaches the threshold. exact_finite's
    /// recorded α is b/(n − b).
    /// </summary>
    [Fact]
    public void TheGrokkingVerdictFollowsEachSubRunsMetrics()
    {
        using var dir = new TempDir();
        var stderr = new StringWriter();
        int code = TangentCli.Run(
            [
                "study",
                "snr-adamw",
                "--preset",
                "quick",
                "--set",
                """experiments=["grokking"]""",
                "--set",
                "grokking={\"modulus\": 7, \"train_fractions\": [0.6], \"width\": 16, \"layers\": 1, \"heads\": 2, "
                    + "\"learning_rates\": [0.01], \"batch_size\": 8, \"max_steps\": 150, \"exact_max_steps\": 100, "
                    + "\"evaluate_every\": 10, \"train_target\": 0.9, \"held_out_target\": 0.3, "
                    + "\"checkpoint_every\": 50, \"split_every\": 40, \"split_rows\": 8, \"risk_every\": 5}",
                "--out",
                dir.File("run"),
            ],
            new StringWriter(),
            stderr
        );
        Assert.True(code == 0, stderr.ToString());
        string run = dir.File("run");
        var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement;
        double? Field(string name) =>
            summary.GetProperty(name).ValueKind == JsonValueKind.Null ? null : summary.GetProperty(name).GetDouble();
        var steps = new Dictionary<string, double?>();
        foreach (var arm in new[] { "adamw", "soft", "snr", "hard", "exact", "exact_finite" })
        {
            string sub = Path.Combine(run, $"grok-60-{arm}-lr0.01-s0");
            var rows = File.ReadAllLines(Path.Combine(sub, "metrics.csv"))
                .Skip(1)
                .Select(l => l.Split(',').Take(5).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
                .ToList();
            double? First(int column, double target) =>
                rows.Where(r => r[column] >= target).Select(r => (double?)r[0]).FirstOrDefault();
            steps[arm] = First(4, 0.3);
            Assert.Equal(steps[arm], Field($"grokking_60_{arm}_median_steps_held_out"));
            Assert.Equal(First(2, 0.9), Field($"grokking_60_{arm}_median_steps_train"));
        }
        var finite = JsonDocument.Parse(
            File.ReadAllText(Path.Combine(run, "grok-60-exact_finite-lr0.01-s0", "run.json"))
        );
        double alpha = finite
            .RootElement.GetProperty("config")
            .GetProperty("optimizer")
            .GetProperty("exact_alpha")
            .GetDouble();
        Assert.Equal(8.0 / (25 - 8), alpha, 15);
        string verdict = summary.GetProperty("verdict_grokking_speedup_60").GetString()!;
        string best = summary.GetProperty("grokking_60_best_gate").GetString()!;
        if (steps[best] is not { } gate)
            Assert.Equal("undecided", verdict);
        else
        {
            double budget = best.StartsWith("exact") ? 100 : 150;
            Assert.True(steps.Where(kv => kv.Key != "adamw").All(kv => kv.Value is null || kv.Value >= gate));
            double speedup = (steps["adamw"] ?? 151) / gate;
            Assert.True(budget >= gate);
            Assert.Equal(speedup, Field("grokking_60_speedup")!.Value, 12);
            Assert.Equal(speedup >= 2 ? "holds" : "fails", verdict);
        }
        Assert.True(File.Exists(Path.Combine(run, "figures", "grokking_60.png")));
        Assert.True(File.Exists(Path.Combine(run, "figures", "grokking_risk_60.png")));
        // The why: every sub-run logs the risk estimate; the gates' sub-runs their gate per tensor and the sampled
        // update spectra on the 8 fixed pairs, every 40 steps until the run stopped.
        foreach (var arm in new[] { "adamw", "soft", "snr", "hard", "exact", "exact_finite" })
        {
            string sub = Path.Combine(run, $"grok-60-{arm}-lr0.01-s0");
            var header = File.ReadLines(Path.Combine(sub, "metrics.csv")).First().Split(',');
            int risk = Array.IndexOf(header, "risk_estimate");
            var logged = File.ReadAllLines(Path.Combine(sub, "metrics.csv")).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.All(logged, r => Assert.NotEqual("", r[risk]));
            Assert.Equal(arm != "adamw", File.Exists(Path.Combine(sub, "layer_gates.csv")));
            var spectra = JsonDocument.Parse(File.ReadAllText(Path.Combine(sub, "update_spectra.json"))).RootElement;
            int last = (int)double.Parse(logged[^1][0], CultureInfo.InvariantCulture);
            Assert.Equal(
                Enumerable.Range(1, 10).Select(i => 40 * i).Where(t => t < last),
                spectra.EnumerateArray().Select(x => x.GetProperty("step").GetInt32())
            );
            Assert.All(
                spectra.EnumerateArray(),
                x => Assert.Equal(8, x.GetProperty("spectrum").GetProperty("eigenvalues").GetArrayLength())
            );
        }
        Assert.True(summary.TryGetProperty("verdict_grokking_gate_removes_reservoir_updates_60", out _));
        if (Field("grokking_60_removed_channel_share") is { } share)
            Assert.InRange(share, 0, 1);
    }
}
