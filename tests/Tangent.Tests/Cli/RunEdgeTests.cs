using Tangent.Cli;
using Tangent.Commands;
using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Tests.Cli;

/// <summary>Edges of the run life cycle that are not refusals: warnings and allocation failures.</summary>
public class RunEdgeTests
{
    [Fact]
    public void ResumingWithAnotherThreadCountWarnsThatBitForBitNeedsTheSameCount()
    {
        using var dir = new TempDir();
        var config = new Tangent.Training.TrainConfig
        {
            Task = new Tangent.Data.TaskConfig
            {
                Kind = "sine",
                TrainSamples = 8,
                TestSamples = 8,
            },
            Model = new Tangent.Models.MlpConfig { Widths = [1, 8, 1] },
            Steps = 20,
            CheckpointEvery = 5,
        };
        var run = RunDirectory.Create(dir.File("run"), "train", config, 0, overwrite: false);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Tangent.Commands.TrainRun.Run(
                config,
                run,
                control: new Tangent.Training.TrainerControl { InterruptAt = 12 }
            )
        );
        run.Fail("interrupted", resumable: true);
        string file = Path.Combine(run.Path, RunDirectory.RunFile);
        var info = Json.Deserialize<RunInfo>(File.ReadAllText(file)) with
        {
            Threads = Tangent.Native.TorchRuntime.Threads + 5,
        };
        File.WriteAllText(file, Json.Serialize(info));
        var (code, _, err) = BadInputTests.Run("train", "--resume", run.Path);
        Assert.Equal(0, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains("warning", err);
        Assert.Contains($"--threads {info.Threads}", err);
    }

    [Fact]
    public void AFailedAllocationIsOneLineWithTheSizeAskedFor()
    {
        // 2⁴⁰ float64s (8 TiB): LibTorch refuses at once, with a multi-line C++ message, unless the kernel
        // overcommits without limit (vm.overcommit_memory = 1), where the allocation itself succeeds and there is
        // nothing to report.
        const string overcommit = "/proc/sys/vm/overcommit_memory";
        if (File.Exists(overcommit) && File.ReadAllText(overcommit).Trim() == "1")
            return;
        var e = Assert.ThrowsAny<Exception>(() => empty(new long[] { 1L << 40 }, dtype: ScalarType.Float64));
        string line = TangentCli.OneLine(e);
        Assert.StartsWith("out of memory: could not allocate 8.0 TiB", line);
        Assert.DoesNotContain("\n", line);
        Assert.DoesNotContain("frame #", line);
    }
}
