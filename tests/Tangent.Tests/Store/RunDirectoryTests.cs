using System.Diagnostics;
using Tangent.Store;

namespace Tangent.Tests.Store;

/// <summary>run.json tracks the run's life: running, then done or failed, never silently half-written.</summary>
public class RunDirectoryTests
{
    private sealed record TinyConfig(int Width, double Rate);

    [Fact]
    public void NewRunIsRunningWithProvenance()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("r"), "test", new TinyConfig(3, 0.5), 42, overwrite: false);
        var info = RunDirectory.Inspect(run.Path);
        Assert.Equal(RunStatus.Running, info.Status);
        Assert.Equal(42, info.Seed);
        Assert.Equal(3, info.Config.GetProperty("width").GetInt32());
        Assert.Equal(64, info.ConfigHash.Length);
        Assert.Equal("0.107.0", info.TorchSharpVersion);
        Assert.False(string.IsNullOrEmpty(info.LibTorchVersion));
    }

    [Fact]
    public void CompleteMarksDoneWithWallTime()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("r"), "test", new TinyConfig(3, 0.5), 1, overwrite: false);
        run.Complete();
        var info = RunDirectory.Inspect(run.Path);
        Assert.Equal(RunStatus.Done, info.Status);
        Assert.NotNull(info.WallSeconds);
        Assert.Null(info.Error);
    }

    [Fact]
    public void FailMarksFailedWithReason()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("r"), "test", new TinyConfig(3, 0.5), 1, overwrite: false);
        run.Fail("diverged");
        var info = RunDirectory.Inspect(run.Path);
        Assert.Equal(RunStatus.Failed, info.Status);
        Assert.Equal("diverged", info.Error);
    }

    [Fact]
    public void SameConfigGivesSameHash()
    {
        using var dir = new TempDir();
        var a = RunDirectory.Create(dir.File("a"), "test", new TinyConfig(3, 0.5), 1, false);
        var b = RunDirectory.Create(dir.File("b"), "test", new TinyConfig(3, 0.5), 1, false);
        var c = RunDirectory.Create(dir.File("c"), "test", new TinyConfig(4, 0.5), 1, false);
        Assert.Equal(a.Info.ConfigHash, b.Info.ConfigHash);
        Assert.NotEqual(a.Info.ConfigHash, c.Info.ConfigHash);
    }

    [Fact]
    public void NonEmptyDirectoryIsRefusedWithoutOverwrite()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("keep.txt"), "x");
        var e = Assert.Throws<ConfigException>(() =>
            RunDirectory.Create(dir.Path, "test", new TinyConfig(1, 1), 1, overwrite: false)
        );
        Assert.Equal("--out", e.Field);
        Assert.True(File.Exists(dir.File("keep.txt")));
    }

    [Fact]
    public void OverwriteRemovesPreviousRunFiles()
    {
        using var dir = new TempDir();
        var first = RunDirectory.Create(dir.Path, "test", new TinyConfig(1, 1), 1, false);
        first.WriteArray("old", new double[] { 1 }, 1);
        first.Complete();
        var second = RunDirectory.Create(dir.Path, "test", new TinyConfig(2, 1), 2, overwrite: true);
        Assert.False(File.Exists(second.ArrayPath("old")));
        Assert.Equal(RunStatus.Running, RunDirectory.Inspect(dir.Path).Status);
    }

    [Fact]
    public void RunWhoseProcessIsGoneIsReportedFailed()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("r"), "test", new TinyConfig(3, 0.5), 1, overwrite: false);
        // Pretend another, now finished, process wrote it.
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        var json = File.ReadAllText(Path.Combine(run.Path, RunDirectory.RunFile))
            .Replace($"\"pid\": {Environment.ProcessId}", $"\"pid\": {p.Id}");
        File.WriteAllText(Path.Combine(run.Path, RunDirectory.RunFile), json);
        var info = RunDirectory.Inspect(run.Path);
        Assert.Equal(RunStatus.Failed, info.Status);
        Assert.Contains("interrupted", info.Error);
        // The verdict is persisted.
        Assert.Contains("\"failed\"", File.ReadAllText(Path.Combine(run.Path, RunDirectory.RunFile)));
    }

    [Fact]
    public void MetricsAreWrittenWithInvariantCultureAndBlanksForMissing()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("r"), "test", new TinyConfig(3, 0.5), 1, overwrite: false);
        run.WriteMetrics(
            ["step", "loss", "extra"],
            [
                [0, 0.5, null],
                [10, 1.25e-7, 3],
            ]
        );
        var lines = File.ReadAllLines(Path.Combine(run.Path, RunDirectory.MetricsFile));
        Assert.Equal(["step,loss,extra", "0,0.5,", "10,1.25E-07,3"], lines);
    }
}
