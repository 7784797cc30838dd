using System.Diagnostics;
using Tangent.Cli;

namespace Tangent.Tests.Sweeps;

/// <summary>Shared steps of the sweep tests: a small train sweep on disk, the CLI in-process or as its own
/// process.</summary>
internal static class SweepFixture
{
    /// <summary>A teacher task small enough that a run takes a second or two (more with many steps).</summary>
    public const string Base = """
        {"task": {"kind": "teacher", "train_samples": 16, "test_samples": 16, "dimension": 4, "outputs": 1,
          "teacher_width": 8, "noise_std": 0.1},
         "model": {"widths": [4, 32, 1]}, "optimizer": {"kind": "gd", "lr": 0.2}, "steps": 40, "log_every": 10,
         "seed": 0}
        """;

    /// <summary>Writes base.json and sweep.json (<paramref name="sweep"/>) into <paramref name="dir"/> and plans it
    /// into <c>dir/sweep</c>; returns that directory.</summary>
    public static string Plan(TempDir dir, string sweep)
    {
        File.WriteAllText(dir.File("base.json"), Base);
        File.WriteAllText(dir.File("sweep.json"), sweep);
        string out_ = dir.File("sweep");
        Cli(["sweep", "plan", dir.File("sweep.json"), "--out", out_]);
        return out_;
    }

    /// <summary>Runs tangent in-process; fails the test with its stderr unless it exits with
    /// <paramref name="expected"/>. Returns stdout.</summary>
    public static string Cli(string[] args, int expected = 0)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TangentCli.Run(args, stdout, stderr);
        Assert.True(code == expected, $"tangent {string.Join(' ', args)} exited {code}: {stderr}{stdout}");
        return stdout.ToString();
    }

    /// <summary>Starts tangent as its own process (the app host beside the tests), output captured.</summary>
    public static Process Start(params string[] args)
    {
        var self = SweepCommand.Self();
        var start = new ProcessStartInfo(self.Prefix[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in self.Prefix.Skip(1).Concat(args))
            start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling; fails the test after
    /// <paramref name="timeout"/>.</summary>
    public static void WaitFor(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {timeout.TotalSeconds:0} s waiting for {what}");
            Thread.Sleep(200);
        }
    }

    /// <summary>summary.json of a run, without its timings (which differ between any two runs).</summary>
    public static Dictionary<string, string> SummaryWithoutTimes(string run) =>
        Json.ReadSummary(Path.Combine(run, "summary.json"))
            .Where(kv => !kv.Key.EndsWith("_seconds", StringComparison.Ordinal))
            .ToDictionary(
                kv => kv.Key,
                kv => Convert.ToString(kv.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""
            );
}
