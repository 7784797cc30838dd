using System.Diagnostics;
using System.Text.Json;
using Tangent.Cli;
using Tangent.Commands;
using Tangent.Store;

namespace Tangent.Tests.Cli;

/// <summary>The command line: clear one-line errors with exit 2, and the full run directory on success.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TangentCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("demo", "--no-such-option")]
    [InlineData("demo", "--width", "eighty")]
    [InlineData("demo", "--width", "0")]
    [InlineData("demo", "--channel-threshold", "2")]
    [InlineData("no-such-command")]
    public void BadInputPrintsOneLineAndExitsTwo(params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.Equal(TangentCli.Usage, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("tangent: ", err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Fact]
    public void BadValueErrorNamesTheFieldAndTheFix()
    {
        var (_, _, err) = Run("demo", "--lr", "-1");
        Assert.Contains("--lr", err);
        Assert.Contains("pass", err);
    }

    [Fact]
    public void VersionPrintsTangentVersion()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.StartsWith("tangent 0.", output);
    }

    [Fact]
    public void HelpDocumentsEveryDemoOption()
    {
        var (code, output, _) = Run("demo", "--help");
        Assert.Equal(0, code);
        foreach (
            var option in new[]
            {
                "--width",
                "--lr",
                "--steps",
                "--train-points",
                "--test-points",
                "--noise-std",
                "--checkpoints",
                "--channel-threshold",
                "--seed",
                "--out",
                "--force",
                "--threads",
            }
        )
            Assert.Contains(option, output);
    }

    [Fact]
    public void DemoWritesTheWholeRunDirectory()
    {
        using var dir = new TempDir();
        string outDir = dir.File("run");
        var (code, output, err) = Run("demo", "--steps", "300", "--checkpoints", "6", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("[demo]", output); // plain progress lines when output is not a terminal

        var info = RunDirectory.Inspect(outDir);
        Assert.Equal(RunStatus.Done, info.Status);
        Assert.Equal(300, info.Config.GetProperty("steps").GetInt32());

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        foreach (
            var key in new[]
            {
                "final_train_mse",
                "final_test_mse",
                "channel_share_residual",
                "reservoir_share_label_noise",
                "checkpoints",
                "wall_seconds",
            }
        )
            Assert.True(summary.RootElement.TryGetProperty(key, out _), $"summary.json lacks {key}");
        Assert.Equal(7, summary.RootElement.GetProperty("checkpoints").GetInt32());

        var spectrum = Npy.Read(Path.Combine(outDir, "arrays", "spectrum.npy"));
        Assert.Equal(new long[] { 7, 30 }, spectrum.Shape);
        var metrics = File.ReadAllLines(Path.Combine(outDir, "metrics.csv"));
        Assert.StartsWith("step,train_mse,test_mse", metrics[0]);
        Assert.True(metrics.Length > 7);

        foreach (var name in new[] { "fit", "loss", "spectrum", "shares", "projections", "transfer" })
        {
            Assert.True(new FileInfo(Path.Combine(outDir, "figures", name + ".png")).Length > 5_000, $"{name}.png");
            Assert.Contains("<svg", File.ReadAllText(Path.Combine(outDir, "figures", name + ".svg")));
        }
        string html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        // Six figures inlined, and the explorer with plotly.js inlined: nothing is fetched from anywhere.
        Assert.Equal(6, html.Split("\" src=\"data:image/png;base64,").Length - 1);
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("<script src", html);
        Assert.Contains("id=\"tx-data\"", html);
        Assert.DoesNotContain(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories), _ => true);
    }

    [Fact]
    public void ExistingRunIsNotOverwrittenWithoutForce()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("precious.txt"), "keep");
        var (code, _, err) = Run("demo", "--steps", "10", "--checkpoints", "2", "--out", dir.Path);
        Assert.Equal(TangentCli.Usage, code);
        Assert.Contains("--force", err);
        Assert.Equal("keep", File.ReadAllText(dir.File("precious.txt")));
    }

    [Fact]
    public void DivergedRunIsMarkedFailed()
    {
        using var dir = new TempDir();
        var (code, _, err) = Run("demo", "--steps", "200", "--checkpoints", "4", "--lr", "50", "--out", dir.File("r"));
        Assert.Equal(TangentCli.Failed, code);
        Assert.Contains("diverged", err);
        var info = RunDirectory.Inspect(dir.File("r"));
        Assert.Equal(RunStatus.Failed, info.Status);
        Assert.Contains("diverged", info.Error);
    }

    [Fact]
    public void KilledRunIsReportedFailedNotHalfWritten()
    {
        using var dir = new TempDir();
        string outDir = dir.File("r");
        string cli = Path.Combine(AppContext.BaseDirectory, "Tangent.Cli.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { cli, "demo", "--steps", "5000000", "--checkpoints", "40", "--out", outDir })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string runJson = Path.Combine(outDir, RunDirectory.RunFile);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(runJson) && clock.Elapsed < TimeSpan.FromSeconds(60))
            Thread.Sleep(50);
        Assert.True(File.Exists(runJson), "the CLI never wrote run.json");
        p.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
        p.WaitForExit();
        Assert.Equal(RunStatus.Running, Json.Deserialize<RunInfo>(File.ReadAllText(runJson)).Status);
        var info = RunDirectory.Inspect(outDir);
        Assert.Equal(RunStatus.Failed, info.Status);
        Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));
    }

    /// <summary>
    /// A long kernel computation stops at its next block on the first SIGINT: exit 130 within seconds, a run that reads
    /// as failed, no summary. (Before kernels checked for cancellation it ran on to the end and was marked done.)
    /// </summary>
    [Fact]
    public async Task AnInterruptStopsALongKernelComputationAtItsNextBlock()
    {
        using var dir = new TempDir();
        File.WriteAllText(
            dir.File("config.json"),
            Json.Serialize(
                new Tangent.Commands.NtkConfigFile { Model = new Tangent.Models.MlpConfig { Widths = [64, 512, 10] } }
            )
        );
        using (
            var x = TorchSharp.torch.randn(
                new long[] { LongKernelSamples, 64 },
                dtype: TorchSharp.torch.ScalarType.Float64
            )
        )
            Npy.Write(dir.File("x.npy"), x);
        string outDir = dir.File("r");
        var psi = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (
            var a in new[]
            {
                Path.Combine(AppContext.BaseDirectory, "Tangent.Cli.dll"),
                "ntk",
                "--config",
                dir.File("config.json"),
                "--inputs",
                dir.File("x.npy"),
                "--method",
                "vector-products",
                "--out",
                outDir,
            }
        )
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string runJson = Path.Combine(outDir, RunDirectory.RunFile);
            var clock = Stopwatch.StartNew();
            while (!File.Exists(runJson) && clock.Elapsed < TimeSpan.FromSeconds(60))
                Thread.Sleep(50);
            Assert.True(File.Exists(runJson), "the CLI never wrote run.json");
            Thread.Sleep(1000);
            Assert.False(p.HasExited, "the computation ended within a second: this test needs a longer one");
            Signal(p, "INT");
            Assert.True(p.WaitForExit(10_000), "the interrupt did not stop the kernel computation");
            Assert.Equal(TangentCli.Interrupted, p.ExitCode);
            string err = await stderr;
            Assert.Contains("stopping at the next safe point", err);
            Assert.Contains("interrupted", err);
            var info = RunDirectory.Inspect(outDir);
            Assert.Equal(RunStatus.Failed, info.Status);
            Assert.Contains("interrupted", info.Error);
            Assert.False(File.Exists(Path.Combine(outDir, "summary.json")));
        }
        finally
        {
            if (!p.HasExited)
                p.Kill(entireProcessTree: true);
        }
    }

    // The matrix-free kernel of 3,000 output rows: 35 s at 200 samples and 174 s at 400 on 2 cores here (cost ∝ n²),
    // so about 90 s at 300 — ninety times the second the test waits before its signal.
    private const int LongKernelSamples = 300;

    private static void Signal(Process p, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {p.Id}") { UseShellExecute = false })!;
        kill.WaitForExit();
    }
}
