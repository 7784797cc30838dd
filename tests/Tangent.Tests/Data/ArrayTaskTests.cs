using System.Text.Json;
using Tangent.Cli;
using Tangent.Data;
using Tangent.Store;
using Tangent.Tests.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Data;

/// <summary>
/// The user's own data (<c>task.kind: arrays</c>) and model (a TorchScript CNN with attention) go through
/// <c>tangent train</c> and <c>tangent analyze</c> to a complete run; labels, label noise and row draws follow the
/// same rules as the built-in tasks.
/// </summary>
public class ArrayTaskTests
{
    /// <summary>Images [n, 1, 6, 6] whose class (0, 1, 2) is the quadrant-sum pattern's argmax;
    /// deterministic.</summary>
    private static void WriteImages(TempDir dir, string name, int n, int seed)
    {
        using var scope = NewDisposeScope();
        var g = Seeds.Generator(seed);
        var x = randn(new long[] { n, 1, 6, 6 }, dtype: ScalarType.Float64, generator: g);
        var score = stack(
            [x[.., 0, ..3, ..3].sum([1, 2]), x[.., 0, ..3, 3..].sum([1, 2]), x[.., 0, 3.., ..].sum([1, 2]) / 2],
            1
        );
        Npy.Write(dir.File(name + "_x.npy"), x);
        Npy.Write(dir.File(name + "_y.npy"), score.argmax(1).to_type(ScalarType.Int64));
    }

    private static string Config(double labelNoise, int trainRows) =>
        $$"""
            {
              "task": {"kind": "arrays", "train_inputs": "train_x.npy", "train_targets": "train_y.npy",
                       "test_inputs": "test_x.npy", "test_targets": "test_y.npy",
                       "train_samples": {{trainRows}}, "test_samples": 16, "label_noise": {{labelNoise}}},
              "model": {"type": "torchscript", "path": "net.pt"},
              "optimizer": {"kind": "adam", "lr": 0.01},
              "loss": "cross_entropy",
              "steps": 60,
              "log_every": 10,
              "record": {"schedule": "every", "every": 20}
            }
            """;

    private static TempDir Prepared(double labelNoise = 0, int trainRows = 24)
    {
        var dir = new TempDir();
        WriteImages(dir, "train", 32, 1);
        WriteImages(dir, "test", 20, 2);
        File.Copy(Path.Combine(TorchScriptModelTests.Fixtures, "conv_attention.pt"), dir.File("net.pt"));
        File.WriteAllText(dir.File("train.json"), Config(labelNoise, trainRows));
        return dir;
    }

    [Fact]
    public void ATorchScriptCnnTrainsOnArraysAndItsRunIsAnalyzed()
    {
        using var dir = Prepared();
        Tangent.Tests.Cli.CliRuns.TrainAndAnalyze(dir.File("train.json"), dir.File("run"));

        var info = RunDirectory.Inspect(dir.File("run"));
        Assert.Equal("arrays", info.Config.GetProperty("task").GetProperty("kind").GetString());
        // Paths are recorded in full, so the run does not depend on where it was started.
        Assert.True(Path.IsPathRooted(info.Config.GetProperty("model").GetProperty("path").GetString()));
        // Three classes: one-hot targets [24, 3]; the model's three outputs match.
        Assert.Equal([24L, 3L], Npy.ReadShape(Path.Combine(dir.File("run"), "arrays", "Y_S.npy")));
        Assert.Equal([24L, 1L, 6L, 6L], Npy.ReadShape(Path.Combine(dir.File("run"), "arrays", "train_x.npy")));
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "params", "inner.att.in_proj_weight.npy")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("run"), "summary.json")));
        double first = summary.RootElement.GetProperty("final_train_loss").GetDouble();
        Assert.True(double.IsFinite(first));
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "analysis", "W_S.npy")));
        // The training loss fell: Adam on 24 examples for 60 steps fits a 3-class quadrant rule.
        var metrics = File.ReadAllLines(Path.Combine(dir.File("run"), "metrics.csv"));
        double Loss(string line) => double.Parse(line.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Loss(metrics[^1]) < Loss(metrics[1]) / 2, $"{metrics[1]} → {metrics[^1]}");
    }

    [Fact]
    public void LabelNoiseMovesTheStatedShareToAnotherClassAndIsRecorded()
    {
        using var dir = Prepared(labelNoise: 0.5, trainRows: 32);
        var config = Tangent.Commands.TrainRun.Load(dir.File("train.json"));
        using var task = config.Task.Create(config.Seed);
        var moved = task.TrainY.argmax(1).ne(task.TrainClean.argmax(1)).sum().item<long>();
        using var noise = task.LabelNoise;
        // Every flipped label went to a different class, and the noise is exactly targets − clean targets.
        Assert.Equal(moved, noise.abs().sum(1).gt(0).sum().item<long>());
        Assert.InRange(moved, 8, 24); // Binomial(32, 0.5): mean 16, sd 2.8; outside ±2.8 sd is ≈ 0.5 %
    }

    [Theory]
    [InlineData("\"train_samples\": 24", "\"train_samples\": 99", "task.train_samples", "the arrays have 32")]
    [InlineData("\"train_targets\": \"train_y.npy\"", "\"train_targets\": \"test_y.npy\"", "task.train_targets", "20")]
    [InlineData("\"label_noise\": 0", "\"label_noise\": 1.5", "task.label_noise", "[0, 1]")]
    [InlineData("\"path\": \"net.pt\"", "\"path\": \"train_x.npy\"", "model.path", "not a TorchScript file")]
    public void BadArraysAreRefusedNamingTheField(string from, string to, string field, string mention)
    {
        using var dir = Prepared();
        File.WriteAllText(dir.File("train.json"), File.ReadAllText(dir.File("train.json")).Replace(from, to));
        var stderr = new StringWriter();
        int code = TangentCli.Run(
            ["train", "--config", dir.File("train.json"), "--out", dir.File("run")],
            new StringWriter(),
            stderr
        );
        Assert.NotEqual(0, code);
        string error = stderr.ToString().Trim();
        Assert.StartsWith($"tangent: {field}:", error);
        Assert.Contains(mention, error);
        Assert.DoesNotContain('\n', error);
        Assert.False(Directory.Exists(dir.File("run")), "nothing half-written");
    }

    /// <summary><c>--init</c> starts from given weights: a run from the PyTorch state dict of the same module starts
    /// at the loss of that module (the file's own weights), and one from a state dict of another architecture is
    /// refused naming <c>init</c> and the key.</summary>
    [Fact]
    public void TrainingStartsFromGivenWeights()
    {
        using var dir = Prepared();
        string[] Args(string name, string weights) =>
            ["train", "--config", dir.File("train.json"), "--init", weights, "--out", dir.File(name)];
        var stderr = new StringWriter();
        int code = TangentCli.Run(
            Args("from-state", Path.Combine(TorchScriptModelTests.Fixtures, "conv_attention_state.pt")),
            new StringWriter(),
            stderr
        );
        Assert.True(code == 0, stderr.ToString());
        code = TangentCli.Run(
            ["train", "--config", dir.File("train.json"), "--out", dir.File("plain")],
            new StringWriter(),
            stderr
        );
        Assert.True(code == 0, stderr.ToString());
        string First(string run) => File.ReadAllLines(Path.Combine(dir.File(run), "metrics.csv"))[1];
        Assert.Equal(First("plain"), First("from-state")); // the state dict holds the TorchScript file's weights
        var info = RunDirectory.Inspect(dir.File("from-state"));
        Assert.EndsWith("conv_attention_state.pt", info.Config.GetProperty("init").GetString());

        stderr = new StringWriter();
        code = TangentCli.Run(
            Args("wrong", Path.Combine(TorchScriptModelTests.Fixtures, "mlp_state.pt")),
            new StringWriter(),
            stderr
        );
        Assert.NotEqual(0, code);
        Assert.StartsWith("tangent: init:", stderr.ToString());
        Assert.Contains("conv.weight", stderr.ToString());
    }
}
