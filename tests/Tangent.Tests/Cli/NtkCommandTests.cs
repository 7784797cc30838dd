using System.Text.Json;
using Tangent.Cli;
using Tangent.Commands;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Tests.Cli;

/// <summary><c>tangent ntk</c> writes the same kernel the library computes, loads .npy parameters and rejects bad input
/// by name.</summary>
public class NtkCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        return (TangentCli.Run(args, stdout, stderr), stdout.ToString(), stderr.ToString());
    }

    private static readonly MlpConfig Model = new()
    {
        Widths = [3, 16, 2],
        Activation = Activation.Tanh,
        BiasStd = 0.2,
    };

    private static string WriteConfig(TempDir dir, MlpConfig model, long seed = 4)
    {
        string path = dir.File("config.json");
        File.WriteAllText(path, Json.Serialize(new NtkConfigFile { Model = model, Seed = seed }));
        return path;
    }

    private static string WriteInputs(TempDir dir, string name, int n, int d, ulong seed)
    {
        using var x = randn(new long[] { n, d }, dtype: ScalarType.Float64, generator: new Generator(seed));
        string path = dir.File(name);
        Npy.Write(path, x);
        return path;
    }

    [Fact]
    public void WritesTheKernelsTheLibraryComputes()
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, Model);
        string xs = WriteInputs(dir, "x.npy", 9, 3, 1),
            xq = WriteInputs(dir, "q.npy", 4, 3, 2);
        var (code, _, err) = Run("ntk", "--config", config, "--inputs", xs, "--query", xq, "--out", dir.File("run"));
        Assert.True(code == 0, err);

        using var scope = NewDisposeScope();
        var model = new Mlp(Model, new Generator(4));
        var x = tensor(Npy.Read(xs).Data, new long[] { 9, 3 });
        var q = tensor(Npy.Read(xq).Data, new long[] { 4, 3 });
        using var expected = Ntk.Compute(model, x, q, new NtkOptions { Method = NtkMethod.JacobianContraction });
        var kss = Npy.Read(Path.Combine(dir.File("run"), "arrays", "K_SS.npy"));
        var kqs = Npy.Read(Path.Combine(dir.File("run"), "arrays", "K_QS.npy"));
        Assert.Equal(new long[] { 18, 18 }, kss.Shape);
        Assert.Equal(new long[] { 8, 18 }, kqs.Shape);
        Assert.True((tensor(kss.Data, kss.Shape) - expected.Kss).abs().max().item<double>() < 1e-10);
        Assert.True((tensor(kqs.Data, kqs.Shape) - expected.Kqs!).abs().max().item<double>() < 1e-10);
        Assert.Equal(RunStatus.Done, RunDirectory.Inspect(dir.File("run")).Status);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("run"), "summary.json")));
        Assert.Equal(2, summary.RootElement.GetProperty("ruled_layers").GetInt32());
        Assert.Equal(0, summary.RootElement.GetProperty("fallback_layers").GetInt32());
    }

    /// <summary><c>--rank</c> with every sample a landmark writes the dense kernel's top eigenpairs (the eigenvectors
    /// up to sign) and a certificate, and writes no K_SS.</summary>
    [Fact]
    public void RankWritesTheDenseTopEigenpairsAndACertificate()
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, Model);
        string xs = WriteInputs(dir, "x.npy", 12, 3, 1);
        string[] args = ["ntk", "--config", config, "--inputs", xs, "--rank", "5", "--landmarks", "12"];
        var (code, output, err) = Run([.. args, "--out", dir.File("run")]);
        Assert.True(code == 0, err);
        Assert.Contains("Nyström rank 5 from 12 landmarks", output);
        Assert.False(File.Exists(Path.Combine(dir.File("run"), "arrays", "K_SS.npy")));

        using var scope = NewDisposeScope();
        var x = tensor(Npy.Read(xs).Data, new long[] { 12, 3 });
        var k = Ntk.Cross(new Mlp(Model, new Generator(4)), x, x);
        var (values, vectors) = linalg.eigh(k);
        var top = values.flip(0).narrow(0, 0, 5);
        var u = vectors.flip(1).narrow(1, 0, 5);
        var lambda = Npy.Read(Path.Combine(dir.File("run"), "arrays", "K_SS_eigenvalues.npy"));
        var v = Npy.Read(Path.Combine(dir.File("run"), "arrays", "K_SS_eigenvectors.npy"));
        Assert.Equal(new long[] { 24, 5 }, v.Shape);
        Assert.True((tensor(lambda.Data) - top).abs().max().item<double>() < 1e-9 * top[0].item<double>());
        var overlap = u.T.matmul(tensor(v.Data, v.Shape)).abs().diag();
        Assert.True(overlap.min().item<double>() > 1 - 1e-6, $"{overlap.min().item<double>()}");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.File("run"), "summary.json")));
        Assert.Equal("nystrom", summary.RootElement.GetProperty("approximation").GetString());
        Assert.True(summary.RootElement.GetProperty("error_bound").GetDouble() >= 0);
    }

    [Theory]
    [InlineData("--rank", "100", "--rank")]
    [InlineData("--landmarks", "50", "--landmarks")]
    [InlineData("--query", "QUERY", "--query")]
    public void BadLowRankRequestsAreOneLineNamingTheOption(string option, string value, string field)
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, Model);
        string xs = WriteInputs(dir, "x.npy", 12, 3, 1);
        string[] args = ["ntk", "--config", config, "--inputs", xs, "--out", dir.File("run")];
        string[] extra = option == "--rank" ? [option, value] : ["--rank", "3", option, value == "QUERY" ? xs : value];
        var (code, _, err) = Run([.. args, .. extra]);
        Assert.NotEqual(0, code);
        Assert.Contains(field, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.False(File.Exists(Path.Combine(dir.File("run"), "summary.json")));
    }

    [Fact]
    public void TracedFloat32KernelMatchesTracedFloat64WithinSinglePrecision()
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, Model);
        string xs = WriteInputs(dir, "x.npy", 12, 3, 1);
        Assert.Equal(0, Run("ntk", "--config", config, "--inputs", xs, "--traced", "--out", dir.File("a")).Code);
        Assert.Equal(
            0,
            Run(
                "ntk",
                "--config",
                config,
                "--inputs",
                xs,
                "--traced",
                "--dtype",
                "float32",
                "--method",
                "jacobian",
                "--out",
                dir.File("b")
            ).Code
        );
        var a = Npy.Read(Path.Combine(dir.File("a"), "arrays", "K_SS.npy"));
        var b = Npy.Read(Path.Combine(dir.File("b"), "arrays", "K_SS.npy"));
        Assert.Equal("<f4", b.Descr);
        Assert.Equal(new long[] { 12, 12 }, a.Shape);
        double scale = a.Data.Max(Math.Abs);
        Assert.All(a.Data.Zip(b.Data), t => Assert.True(Math.Abs(t.First - t.Second) < 1e-5 * scale));
    }

    [Fact]
    public void LoadsParametersFromNpyFiles()
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, Model, seed: 4);
        string xs = WriteInputs(dir, "x.npy", 6, 3, 1);
        var trained = new Mlp(Model, new Generator(99));
        Directory.CreateDirectory(dir.File("params"));
        ParameterFiles.Save(trained, dir.File("params"));
        Assert.Equal(
            0,
            Run(
                "ntk",
                "--config",
                config,
                "--params",
                dir.File("params"),
                "--inputs",
                xs,
                "--out",
                dir.File("run")
            ).Code
        );
        using var scope = NewDisposeScope();
        var x = tensor(Npy.Read(xs).Data, new long[] { 6, 3 });
        using var expected = Ntk.Compute(trained, x);
        var k = Npy.Read(Path.Combine(dir.File("run"), "arrays", "K_SS.npy"));
        Assert.True((tensor(k.Data, k.Shape) - expected.Kss).abs().max().item<double>() < 1e-10);
    }

    [Fact]
    public void MissingParameterFileIsNamed()
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, Model);
        string xs = WriteInputs(dir, "x.npy", 6, 3, 1);
        Directory.CreateDirectory(dir.File("params"));
        ParameterFiles.Save(new Mlp(Model, new Generator(1)), dir.File("params"));
        File.Delete(Path.Combine(dir.File("params"), "layers.2.bias.npy"));
        var (code, _, err) = Run(
            "ntk",
            "--config",
            config,
            "--params",
            dir.File("params"),
            "--inputs",
            xs,
            "--out",
            dir.File("run")
        );
        Assert.Equal(TangentCli.Usage, code);
        Assert.Contains("layers.2.bias", err);
        // Bad input found once work had started leaves no run directory, so the corrected command can reuse --out.
        Assert.False(Directory.Exists(dir.File("run")));
    }

    [Theory]
    [InlineData("{\"model\": {\"widths\": [3]}}", "model.widths")]
    [InlineData("{\"model\": {\"widths\": [3, 2], \"weight_std\": -1}}", "model.weight_std")]
    [InlineData("{\"model\": {\"widths\": [3, 2], \"init_std\": 0.1}}", "model.init_std")]
    [InlineData("{\"model\": {\"widths\": [3, 2], \"activation\": \"swish\"}}", "model.activation")]
    [InlineData("{\"model\": {\"widths\": [3, 2], \"activaton\": \"tanh\"}}", "model.activaton")]
    [InlineData("not json", "--config")]
    public void BadConfigIsOneLineNamingTheField(string json, string field)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("c.json"), json);
        string xs = WriteInputs(dir, "x.npy", 4, 3, 1);
        var (code, _, err) = Run("ntk", "--config", dir.File("c.json"), "--inputs", xs, "--out", dir.File("run"));
        Assert.Equal(TangentCli.Usage, code);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Contains(field, err);
    }

    [Fact]
    public void InputsOfTheWrongWidthAreRejected()
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, Model);
        string xs = WriteInputs(dir, "x.npy", 4, 5, 1);
        var (code, _, err) = Run("ntk", "--config", config, "--inputs", xs, "--out", dir.File("run"));
        Assert.Equal(TangentCli.Usage, code);
        Assert.Contains("--inputs", err);
    }

    [Fact]
    public void UnknownParameterSubsetIsRejected()
    {
        using var dir = new TempDir();
        string config = WriteConfig(dir, Model);
        string xs = WriteInputs(dir, "x.npy", 4, 3, 1);
        var (code, _, err) = Run(
            "ntk",
            "--config",
            config,
            "--inputs",
            xs,
            "--parameters",
            "layers.7.weight",
            "--out",
            dir.File("run")
        );
        Assert.Equal(TangentCli.Usage, code);
        Assert.Contains("--parameters", err);
    }
}
