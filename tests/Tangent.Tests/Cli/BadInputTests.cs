using System.Buffers.Binary;
using System.Text;
using Tangent.Cli;
using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Runs;
using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Tests.Cli;

/// <summary>
/// The README's promise for bad input, case by case: exit 2 (bad input) or 1 (a failure while working), exactly one
/// line on stderr that names the field, no .NET exception name or C++ frame, and no run directory left behind when the
/// input is refused before work starts.
/// </summary>
public class BadInputTests
{
    private const string TinyTrain = """
        {"task": {"kind": "sine", "train_samples": 8, "test_samples": 8}, "model": {"widths": [1, 8, 1]}, "steps": 3}
        """;

    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TangentCli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>One line, starting "tangent: ", with no trace of an exception's type or a native frame.</summary>
    internal static void AssertOneCleanLine(string err)
    {
        var lines = err.TrimEnd().Split('\n');
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{err}");
        Assert.StartsWith("tangent: ", err);
        foreach (var marker in new[] { "   at ", "Exception", "System.", "frame #", "c10::", "libtorch" })
            Assert.False(err.Contains(marker, StringComparison.Ordinal), $"stderr shows '{marker}': {err}");
    }

    private static void AssertRefused(string field, params string[] args) => AssertRefused(field, null, args);

    private static void AssertRefused(string field, string? mention, params string[] args)
    {
        var (code, _, err) = Run(args);
        Assert.True(code == TangentCli.Usage, $"exit {code}, expected 2: {err}");
        AssertOneCleanLine(err);
        Assert.Contains(field, err);
        if (mention is not null)
            Assert.Contains(mention, err);
    }

    public static TheoryData<string, string, string?> BadTrainConfigs() =>
        new()
        {
            // Unknown keys, at any depth, with the nearest valid key when it is a typo.
            { """{"stpes": 5000}""", "stpes", "did you mean \"steps\"" },
            { """{"optimizer": {"learning_rate": 0.001}}""", "optimizer.learning_rate", "lr" },
            { """{"task": {"kind": "sine", "trian_samples": 9}}""", "task.trian_samples", "task.train_samples" },
            { """{"record": {"sheduel": "log"}}""", "record.sheduel", null },
            { """{"steps": 5, "steps": 6}""", "steps", "twice" },
            // Nulls name the field.
            { """{"model": null}""", "model", "null" },
            { """{"task": null}""", "task", "null" },
            { """{"optimizer": {"lr": null}}""", "optimizer.lr", "null" },
            { """{"model": {"widths": [1, null, 1]}}""", "model.widths[1]", "null" },
            // Enum values list the valid names.
            { """{"model": {"widths": [1, 8, 1], "activation": "swish"}}""", "model.activation", "relu, tanh" },
            { """{"optimizer": {"kind": "rmsprop"}}""", "optimizer.kind", "adamw" },
            { """{"loss": "l1"}""", "loss", "half_mse" },
            { """{"optimizer": {"kind": 3}}""", "optimizer.kind", "expected one of" },
            // Types in words, not .NET names.
            { """{"steps": "ten"}""", "steps", "expected an integer" },
            { """{"steps": 1.5}""", "steps", "expected an integer" },
            { """{"steps": 1e3}""", "steps", "write 1000" },
            { """{"steps": 99999999999}""", "steps", "out of range" },
            { """{"model": {"bias": "yes"}}""", "model.bias", "true or false" },
            { """{"model": {"widths": 8}}""", "model.widths", "expected a list" },
            { """{"task": "sine"}""", "task", "expected an object" },
            { """{"optimizer": {"lr": "fast"}}""", "optimizer.lr", "expected a number" },
            { """{"optimizer": {"lr": 1e999}}""", "optimizer.lr", "finite" },
            // Values out of their range.
            { """{"seed": -1}""", "seed", null },
            { """{"seed": 4294967297}""", "seed", "2147483647" },
            { """{"optimizer": {"lr": -1}}""", "optimizer.lr", null },
            { """{"optimizer": {"lr": "NaN"}}""", "optimizer.lr", null },
            { """{"optimizer": {"lr": 0}}""", "optimizer.lr", null },
            { """{"steps": 0}""", "steps", null },
            { """{"model": {"widths": [1, 0, 1]}}""", "model.widths", null },
            { """{"record": {"schedule": "sometimes"}}""", "record.schedule", null },
            { """{"task": {"kind": "spiral"}}""", "task.kind", null },
            {
                """{"task": {"kind": "provided", "description": "x", "dimension": 1, "train_samples": 8}}""",
                "task.kind",
                "no generator"
            },
            // Sizes that do not fit in memory are refused before anything is allocated.
            { """{"model": {"widths": [1, 1000000000, 1]}}""", "model.widths", "--skip-memory-check" },
            {
                """{"task": {"kind": "sine", "train_samples": 2000000000}, "model": {"widths": [1, 64, 1]}}""",
                "task.train_samples",
                "available"
            },
            // Whole-file problems.
            { """{"steps": 5""", "--config", "not valid JSON" },
            { "", "--config", "empty" },
            { "[]", "config", "expected an object" },
            { "null", "config", null },
        };

    [Theory]
    [MemberData(nameof(BadTrainConfigs))]
    public void BadTrainConfigIsOneLineNamingTheFieldAndLeavesNoRun(string json, string field, string? mention)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), json);
        AssertRefused(field, mention, "train", "--config", dir.File("config.json"), "--out", dir.File("run"));
        Assert.False(Directory.Exists(dir.File("run")), "a refused config must not leave a run directory");
    }

    [Fact]
    public void ConfigPathErrorsSayWhatIsWrong()
    {
        using var dir = new TempDir();
        AssertRefused("--config", "directory", "train", "--config", dir.Path);
        AssertRefused("--config", "does not exist", "train", "--config", dir.File("missing.json"));
        AssertRefused("--config", "is required", "train");
    }

    [Fact]
    public void EveryDocumentedExampleConfigReadsStrictly()
    {
        string examples = Path.Combine(RepoRoot(), "docs", "examples");
        var files = Directory.GetFiles(examples, "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            // Sweep files plan (which reads their base config strictly too); model-only examples are ntk/kernel
            // configs; the rest are train configs.
            string text = File.ReadAllText(file);
            if (text.Contains("\"command\"", StringComparison.Ordinal))
                Assert.NotEmpty(Tangent.Sweeps.SweepPlanner.Plan(file).Runs);
            else if (text.Contains("\"task\"", StringComparison.Ordinal))
                Tangent.Commands.TrainRun.Load(file);
            else
                Tangent.Commands.NtkConfigFile.Load(file);
        }
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tangent.slnx")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("no Tangent.slnx above the test binaries");
    }

    // ---- .npy inputs of tangent ntk and tangent kernel ----

    private static string NtkConfig(TempDir dir)
    {
        string path = dir.File("model.json");
        File.WriteAllText(path, """{"model": {"widths": [3, 8, 2], "activation": "tanh"}, "seed": 1}""");
        return path;
    }

    private static byte[] NpyBytes(string descr, string shape, byte[] payload, bool fortran = false)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int padding = (64 - (10 + dict.Length + 1) % 64) % 64;
        string header = dict + new string(' ', padding) + "\n";
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        bytes.AddRange(Encoding.Latin1.GetBytes(header));
        bytes.AddRange(payload);
        return [.. bytes];
    }

    private static byte[] Doubles(params double[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    public static TheoryData<string, string> BadInputArrays() =>
        new()
        {
            { "nan", "non-finite" },
            { "inf", "non-finite" },
            { "empty", "no rows" },
            { "truncated", "truncated" },
            { "truncated-header", "truncated" },
            { "big-endian", "little-endian" },
            { "fortran", "Fortran" },
            { "one-dimensional", "shape" },
            { "wrong-columns", "expected [n, 3]" },
            { "float16", "not supported" },
            { "not-npy", "not a .npy file" },
            { "directory", "is a directory" },
            { "missing", "does not exist" },
        };

    private static string WriteBadArray(TempDir dir, string kind)
    {
        string path = dir.File(kind + ".npy");
        var good = Doubles(0.1, 0.2, 0.3, 0.4, 0.5, 0.6);
        byte[]? bytes = kind switch
        {
            "nan" => NpyBytes("<f8", "(2, 3)", Doubles(0.1, double.NaN, 0.3, 0.4, 0.5, 0.6)),
            "inf" => NpyBytes("<f8", "(2, 3)", Doubles(0.1, 0.2, 0.3, 0.4, double.PositiveInfinity, 0.6)),
            "empty" => NpyBytes("<f8", "(0, 3)", []),
            "truncated" => NpyBytes("<f8", "(2, 3)", good)[..^9],
            "truncated-header" => NpyBytes("<f8", "(2, 3)", good)[..40],
            "big-endian" => NpyBytes(">f8", "(2, 3)", good),
            "fortran" => NpyBytes("<f8", "(2, 3)", good, fortran: true),
            "one-dimensional" => NpyBytes("<f8", "(6,)", good),
            "wrong-columns" => NpyBytes("<f8", "(3, 2)", good),
            "float16" => NpyBytes("<f2", "(2, 3)", new byte[12]),
            "not-npy" => Encoding.ASCII.GetBytes("x,y,z\n1,2,3\n"),
            _ => null,
        };
        if (bytes is not null)
            File.WriteAllBytes(path, bytes);
        if (kind == "directory")
            Directory.CreateDirectory(path);
        return path;
    }

    [Theory]
    [MemberData(nameof(BadInputArrays))]
    public void BadNtkInputsAreRefusedBeforeTheRunStarts(string kind, string mention)
    {
        using var dir = new TempDir();
        string inputs = WriteBadArray(dir, kind);
        AssertRefused(
            "--inputs",
            mention,
            "ntk",
            "--config",
            NtkConfig(dir),
            "--inputs",
            inputs,
            "--out",
            dir.File("run")
        );
        Assert.False(Directory.Exists(dir.File("run")));
    }

    [Theory]
    [InlineData("nan", "non-finite")]
    [InlineData("wrong-columns", "expected [n, 3]")]
    public void BadKernelQueriesAreRefusedBeforeTheRunStarts(string kind, string mention)
    {
        using var dir = new TempDir();
        string good = dir.File("x.npy");
        Npy.Write(good, new double[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }, 2, 3);
        AssertRefused(
            "--query",
            mention,
            "kernel",
            "--config",
            NtkConfig(dir),
            "--inputs",
            good,
            "--query",
            WriteBadArray(dir, kind),
            "--out",
            dir.File("run")
        );
        Assert.False(Directory.Exists(dir.File("run")));
    }

    [Fact]
    public void KernelTargetsWithNaNAreRefused()
    {
        using var dir = new TempDir();
        string x = dir.File("x.npy"),
            y = dir.File("y.npy");
        Npy.Write(x, new double[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }, 2, 3);
        Npy.Write(y, new double[] { 1, double.NaN, 0, 1 }, 2, 2);
        AssertRefused(
            "--targets",
            "non-finite",
            "kernel",
            "--config",
            NtkConfig(dir),
            "--inputs",
            x,
            "--finite-widths",
            "8",
            "--targets",
            y,
            "--out",
            dir.File("run")
        );
    }

    [Fact]
    public void FiniteWidthErrorSuggestsAValueItAccepts()
    {
        using var dir = new TempDir();
        string x = dir.File("x.npy");
        Npy.Write(x, new double[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }, 2, 3);
        var (code, _, err) = Run("kernel", "--config", NtkConfig(dir), "--inputs", x, "--finite-widths", "0");
        Assert.Equal(TangentCli.Usage, code);
        AssertOneCleanLine(err);
        // The fix it suggests must parse: space-separated widths, the form the option takes.
        Assert.Contains("--finite-widths 64 256 1024", err);
        Assert.DoesNotContain("64,256", err);
    }

    [Fact]
    public void KernelTooLargeForMemoryIsRefusedNamingInputs()
    {
        using var dir = new TempDir();
        // 3,000,000 rows: the NNGP and NTK alone would need 144 TB; the header is read, not the data.
        string x = dir.File("x.npy");
        File.WriteAllBytes(x, NpyBytes("<f8", "(3000000, 3)", new byte[8 * 3 * 3]));
        var (code, _, err) = Run("kernel", "--config", NtkConfig(dir), "--inputs", x, "--out", dir.File("run"));
        Assert.Equal(TangentCli.Usage, code);
        AssertOneCleanLine(err);
        Assert.Contains("--inputs", err);
        // Refused by the size check from the header alone, before the (truncated) data is read.
        Assert.Contains("available", err);
        Assert.Contains(MemoryBudget.OverrideOption, err);
    }

    [Fact]
    public void NtkWhoseKernelOverflowsFailsWithOneLineAndLeavesNoValidLookingArrays()
    {
        using var dir = new TempDir();
        var model = new MlpConfig { Widths = [3, 8, 2], Activation = Activation.Identity };
        File.WriteAllText(dir.File("model.json"), Json.Serialize(new Tangent.Commands.NtkConfigFile { Model = model }));
        using (var net = new Mlp(model, new Generator(1)))
        {
            using (no_grad())
                foreach (var p in net.parameters())
                    p.fill_(1e200);
            Directory.CreateDirectory(dir.File("params"));
            ParameterFiles.Save(net, dir.File("params"));
        }
        string x = dir.File("x.npy");
        Npy.Write(x, new double[] { 1e200, 2e200, 3e200, 4e200, 5e200, 6e200 }, 2, 3);
        var (code, _, err) = Run(
            "ntk",
            "--config",
            dir.File("model.json"),
            "--params",
            dir.File("params"),
            "--inputs",
            x,
            "--method",
            "jacobian",
            "--out",
            dir.File("run")
        );
        Assert.Equal(TangentCli.Failed, code);
        Assert.StartsWith("tangent: ", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains("non-finite", err);
        Assert.Equal(RunStatus.Failed, RunDirectory.Inspect(dir.File("run")).Status);
        Assert.False(File.Exists(Path.Combine(dir.File("run"), "arrays", "K_SS.npy")), "a failed run kept K_SS.npy");
    }

    [Fact]
    public void ParameterFilesWithNaNAreRefusedByName()
    {
        using var dir = new TempDir();
        var model = new MlpConfig { Widths = [3, 8, 2] };
        File.WriteAllText(dir.File("model.json"), Json.Serialize(new Tangent.Commands.NtkConfigFile { Model = model }));
        using (var net = new Mlp(model, new Generator(1)))
        {
            using (no_grad())
                net.parameters().First().fill_(double.NaN);
            Directory.CreateDirectory(dir.File("params"));
            ParameterFiles.Save(net, dir.File("params"));
        }
        string x = dir.File("x.npy");
        Npy.Write(x, new double[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6 }, 2, 3);
        var (code, _, err) = Run(
            "ntk",
            "--config",
            dir.File("model.json"),
            "--params",
            dir.File("params"),
            "--inputs",
            x,
            "--out",
            dir.File("run")
        );
        Assert.Equal(TangentCli.Usage, code);
        AssertOneCleanLine(err);
        Assert.Contains("--params", err);
        Assert.Contains("non-finite", err);
    }

    // ---- IDX data ----

    [Theory]
    [InlineData(14, 14, "28×28")]
    [InlineData(28, 28, "label 12")]
    public void FashionMnistFilesThatAreNotTheFormatAreRefusedByName(int height, int width, string mention)
    {
        using var dir = new TempDir();
        int n = 4;
        foreach (var split in new[] { "train", "t10k" })
        {
            Idx.Write(
                Path.Combine(dir.Path, $"{split}-images-idx3-ubyte"),
                new byte[n * height * width],
                [n, height, width],
                gzip: false
            );
            Idx.Write(Path.Combine(dir.Path, $"{split}-labels-idx1-ubyte"), [0, 1, 12, 3], [n], gzip: false);
        }
        string config = dir.File("config.json");
        File.WriteAllText(
            config,
            $$"""
            {"task": {"kind": "fashion-mnist", "classes": [0, 1], "train_samples": 2, "test_samples": 2,
                      "data": "{{dir.Path}}"},
             "model": {"widths": [784, 8, 1]}, "steps": 2}
            """
        );
        var (code, _, err) = Run("train", "--config", config, "--out", dir.File("run"));
        Assert.Equal(TangentCli.Usage, code);
        AssertOneCleanLine(err);
        Assert.Contains("task.data", err);
        Assert.Contains(mention, err);
    }

    [Fact]
    public void TruncatedIdxFileIsRefusedByName()
    {
        using var dir = new TempDir();
        foreach (var split in new[] { "train", "t10k" })
        {
            Idx.Write(
                Path.Combine(dir.Path, $"{split}-images-idx3-ubyte"),
                new byte[4 * 784],
                [4, 28, 28],
                gzip: false
            );
            Idx.Write(Path.Combine(dir.Path, $"{split}-labels-idx1-ubyte"), [0, 1, 0, 1], [4], gzip: false);
        }
        string images = Path.Combine(dir.Path, "train-images-idx3-ubyte");
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..500]);
        var e = Assert.Throws<ConfigException>(() => FashionMnist.Load(dir.Path, "train", field: "task.data"));
        Assert.Equal("task.data", e.Field);
        Assert.Contains("truncated", e.Message);
    }

    // ---- run directories: --out, RUN, --resume, analyze ----

    [Fact]
    public void OutThatIsAFileOrUnwritableIsRefused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), TinyTrain);
        File.WriteAllText(dir.File("file"), "x");
        AssertRefused("--out", "is a file", "train", "--config", dir.File("config.json"), "--out", dir.File("file"));
        AssertRefused(
            "--out",
            "cannot write",
            "train",
            "--config",
            dir.File("config.json"),
            "--out",
            "/proc/tangent-run"
        );
    }

    [Fact]
    public void ResumeAndAnalyzeOfWhatIsNotARunAreRefused()
    {
        using var dir = new TempDir();
        AssertRefused("RUN", "does not exist", "train", "--resume", dir.File("nothing"));
        AssertRefused("RUN", "does not exist", "analyze", dir.File("nothing"));
        AssertRefused("RUN", "not a run directory", "analyze", dir.Path);
        File.WriteAllText(dir.File("run.json"), "{ broken");
        AssertRefused("RUN", "unreadable", "analyze", dir.Path);
    }

    [Fact]
    public void ResumeOfARunWithoutCheckpointsAndAnalyzeOfARunWithoutSnapshotsSayWhy()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("config.json"), TinyTrain);
        var (code, _, err) = Run("train", "--config", dir.File("config.json"), "--out", dir.File("run"));
        Assert.True(code == 0, err);
        AssertRefused("RUN", "already finished", "train", "--resume", dir.File("run"));
        AssertRefused("RUN", "no kernel snapshots", "analyze", dir.File("run"));
    }

    [Fact]
    public void AnalyzeOfAnInterruptedRunSaysHowToResumeIt()
    {
        using var dir = new TempDir();
        File.WriteAllText(
            dir.File("config.json"),
            """
            {"task": {"kind": "sine", "train_samples": 8, "test_samples": 8}, "model": {"widths": [1, 8, 1]},
             "steps": 40, "checkpoint_every": 10, "record": {"schedule": "every", "every": 10}}
            """
        );
        var config = Tangent.Commands.TrainRun.Load(dir.File("config.json"));
        var run = RunDirectory.Create(dir.File("run"), "train", config, 0, overwrite: false);
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Tangent.Commands.TrainRun.Run(
                config,
                run,
                control: new Tangent.Training.TrainerControl { InterruptAt = 25 }
            )
        );
        run.Fail("interrupted", resumable: true);
        AssertRefused("RUN", "tangent train --resume", "analyze", dir.File("run"));
    }

    [Theory]
    [InlineData("--window", "5:3")]
    [InlineData("--window", "abc")]
    [InlineData("--window", "0:7")]
    [InlineData("--threshold", "rel:-1")]
    [InlineData("--threshold", "foo")]
    [InlineData("--threshold", "abs:x")]
    [InlineData("--pinv-cutoff", "2")]
    public void BadAnalyzeOptionsAreRefusedByName(string option, string value)
    {
        using var dir = new TempDir();
        File.WriteAllText(
            dir.File("config.json"),
            """
            {"task": {"kind": "sine", "train_samples": 8, "test_samples": 8}, "model": {"widths": [1, 8, 1]},
             "steps": 20, "record": {"schedule": "every", "every": 10}}
            """
        );
        Assert.Equal(0, Run("train", "--config", dir.File("config.json"), "--out", dir.File("run")).Code);
        AssertRefused(option, null, "analyze", dir.File("run"), option, value);
    }

    [Theory]
    [InlineData("--width", "as an integer", "demo", "--width", "eighty")]
    [InlineData("--seed", "2147483647", "demo", "--seed", "99999999999")]
    [InlineData("--seed", null, "demo", "--seed", "-1")]
    [InlineData("--lr", null, "demo", "--lr", "NaN")]
    [InlineData("--width", "--skip-memory-check", "demo", "--width", "1000000000")]
    [InlineData(
        "--finite-widths",
        "as an integer",
        "kernel",
        "--config",
        "m.json",
        "--inputs",
        "x.npy",
        "--finite-widths",
        "1.5"
    )]
    [InlineData("--method", "rules", "ntk", "--config", "m.json", "--inputs", "x.npy", "--method", "fast")]
    [InlineData("--threads", null, "train", "--config", "c.json", "--threads", "-1")]
    [InlineData("--resume", "cannot be combined", "train", "--config", "c.json", "--resume", "runs/x")]
    public void BadOptionValuesAreOneLineNamingTheOption(string option, string? mention, params string[] args) =>
        AssertRefused(option, mention, args);

    // ---- studies and the command table ----

    [Theory]
    [InlineData("--set sedes", "did you mean \"seeds\"", "study", "double-descent", "--set", "sedes=3")]
    [InlineData("--set seeds", "expected an integer", "study", "double-descent", "--set", "seeds=abc")]
    [InlineData("--set seed", "2147483647", "study", "double-descent", "--set", "seed=99999999999")]
    [InlineData("--set", "key=value", "study", "double-descent", "--set", "seeds")]
    [InlineData("NAME", "double-descent", "study", "tripple-descent")]
    [InlineData("--preset", "quick", "study", "double-descent", "--preset", "huge")]
    public void BadStudyInputsAreRefusedByName(string field, string mention, params string[] args) =>
        AssertRefused(field, mention, args);

    [Theory]
    [InlineData("list")]
    [InlineData("frobnicate")]
    [InlineData("trian")]
    public void UnknownCommandsListTheCommands(string command)
    {
        var (code, _, err) = Run(command, "--config", "x.json");
        Assert.Equal(TangentCli.Usage, code);
        AssertOneCleanLine(err);
        foreach (var name in new[] { "demo", "ntk", "kernel", "train", "analyze", "study", "grokking", "info" })
            Assert.Contains(name, err);
    }

    [Fact]
    public void HelpCommandPrintsTheHelp()
    {
        var (code, output, _) = Run("help");
        Assert.Equal(0, code);
        Assert.Contains("analyze", output);
        var (trainCode, trainHelp, _) = Run("help", "train");
        Assert.Equal(0, trainCode);
        Assert.Contains("--resume", trainHelp);
    }
}
