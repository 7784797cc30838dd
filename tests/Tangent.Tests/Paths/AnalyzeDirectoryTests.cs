using System.Text.Json;
using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;

namespace Tangent.Tests.Paths;

/// <summary>Analyses of different windows or thresholds sit beside each other, and each says where its numbers came
/// from.</summary>
public class AnalyzeDirectoryTests
{
    private static readonly TrainConfig Small = new()
    {
        Task = new TaskConfig
        {
            Kind = "teacher",
            TrainSamples = 10,
            TestSamples = 8,
            Dimension = 3,
            Outputs = 1,
        },
        Model = new MlpConfig { Widths = [3, 16, 1], Activation = Activation.Tanh },
        Optimizer = new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = 0.1 },
        Steps = 40,
        LogEvery = 10,
        Record = new RecordConfig { Schedule = "every", Every = 10 },
    };

    private static string Summary(string dir, string key) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))).RootElement.GetProperty(key).ToString();

    [Fact]
    public void ASecondWindowWritesBesideTheFirstAndTheRunSummaryKeepsTheWholeRun()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("run"), "train", Small, 0, overwrite: false);
        TrainRun.Run(Small, run);
        run.Complete();
        var (whole, _) = AnalyzeRun.Run(run.Path, new AnalyzeOptions());
        byte[] wholeGramian = File.ReadAllBytes(Path.Combine(run.Path, "analysis", "W_S.npy"));
        var (part, _) = AnalyzeRun.Run(run.Path, new AnalyzeOptions { Start = 10, End = 30 });
        var (relative, _) = AnalyzeRun.Run(
            run.Path,
            new AnalyzeOptions { Threshold = ThresholdKind.Relative, ThresholdValue = 0.01 }
        );

        string first = Path.Combine(run.Path, "analysis"),
            second = Path.Combine(run.Path, "analysis-10-30");
        string third = Path.Combine(run.Path, "analysis-0-40-rel0.01");
        foreach (var d in new[] { first, second, third })
        {
            Assert.True(File.Exists(Path.Combine(d, "W_S.npy")), d);
            Assert.True(File.Exists(Path.Combine(d, "report.html")), d);
            Assert.True(File.Exists(Path.Combine(d, "figures", "gramian_spectrum.png")), d);
        }
        Assert.Equal("10:30", Summary(second, "analysis_window"));
        Assert.Equal("rel:0.01", Summary(third, "analysis_threshold"));
        // The run's own summary.json carries the whole-run default analysis only, and says so.
        Assert.Equal("0:40", Summary(run.Path, "analysis_window"));
        Assert.Equal(whole.ChannelDim.ToString(), Summary(run.Path, "channel_dim"));
        Assert.Equal(part.ChannelDim.ToString(), Summary(second, "channel_dim"));
        Assert.Equal(relative.ChannelDim.ToString(), Summary(third, "channel_dim"));
        // The whole-run W_S is still the first analysis's, and the window's is a different matrix.
        Assert.Equal(wholeGramian, File.ReadAllBytes(Path.Combine(first, "W_S.npy")));
        Assert.NotEqual(wholeGramian, File.ReadAllBytes(Path.Combine(second, "W_S.npy")));
    }

    [Fact]
    public void AFailedRunThatCannotResumeHasNoArraysThatLookLikeResults()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("run"), "ntk", new { n = 1 }, 0, overwrite: false);
        Npy.Write(Path.Combine(run.ArraysPath, "K_SS.npy"), new double[] { double.NaN }, 1, 1);
        run.Fail("eigh failed");
        Assert.False(Directory.Exists(run.ArraysPath));
        Assert.True(File.Exists(Path.Combine(run.Path, RunDirectory.PartialArraysDirectory, "K_SS.npy")));
        Assert.Equal(RunStatus.Failed, RunDirectory.Inspect(run.Path).Status);
    }

    [Fact]
    public void AFailedRunThatCanResumeKeepsItsArrays()
    {
        using var dir = new TempDir();
        var run = RunDirectory.Create(dir.File("run"), "train", new { n = 1 }, 0, overwrite: false);
        Npy.Write(Path.Combine(run.ArraysPath, "train_x.npy"), new double[] { 1 }, 1, 1);
        run.Fail("interrupted", resumable: true);
        Assert.True(File.Exists(Path.Combine(run.ArraysPath, "train_x.npy")));
    }
}
