using Tangent.Kernels;
using Tangent.Models;
using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Tests.Models;

/// <summary>
/// A TorchScript module saved by PyTorch 1.13 has the eNTK PyTorch's own autograd gives it (the reference kernels of
/// tests/fixtures/torchscript/make.py, sample-major), by every method. A ScriptModule reports every descendant's
/// parameters as its own, which once counted each parameter once per enclosing level (2× on the MLP, 2.19× in sum on
/// the CNN with attention).
/// </summary>
public class TorchScriptModelTests
{
    /// <summary>The directory of the committed fixtures.</summary>
    public static string Fixtures => Path.Combine(Cli.BadInputTests.RepoRoot(), "tests", "fixtures", "torchscript");

    private static Tensor Array(string name) => Npy.Read(Path.Combine(Fixtures, name + ".npy")).ToTensor();

    [Theory]
    [InlineData("mlp", NtkMethod.LayerwiseRules)]
    [InlineData("mlp", NtkMethod.JacobianContraction)]
    [InlineData("mlp", NtkMethod.NtkVectorProducts)]
    [InlineData("conv_attention", NtkMethod.LayerwiseRules)]
    [InlineData("conv_attention", NtkMethod.JacobianContraction)]
    [InlineData("conv_attention", NtkMethod.NtkVectorProducts)]
    public void TorchScriptEntkEqualsPyTorchAutograd(string name, NtkMethod method)
    {
        using var scope = NewDisposeScope();
        var model = TorchScriptModel.Load(Path.Combine(Fixtures, name + ".pt"), "model.path");
        var x = Array(name + "_x");
        var q = Array(name + "_q");
        using var k = Ntk.Compute(model, x, q, new NtkOptions { Method = method });
        // Float64 throughout; the two sides sum the same products in different orders, so they agree to rounding.
        var kss = Array(name + "_kss");
        var kqs = Array(name + "_kqs");
        double scale = kss.abs().max().item<double>();
        Assert.True((k.Kss - kss).abs().max().item<double>() < 1e-10 * scale, $"{name} {method}: K_SS");
        Assert.True((k.Kqs! - kqs).abs().max().item<double>() < 1e-10 * scale, $"{name} {method}: K_QS");
    }

    [Fact]
    public void ParametersKeepPyTorchNamesAndEachIsCoveredOnce()
    {
        var model = TorchScriptModel.Load(Path.Combine(Fixtures, "conv_attention.pt"), "model.path");
        string[] names = [.. model.named_parameters().Select(p => p.name)];
        Assert.Contains("conv.weight", names);
        Assert.Contains("inner.att.in_proj_weight", names);
        Assert.Equal(names.Length, names.Distinct().Count());
        long total = model.parameters().Sum(p => p.numel());
        Assert.Equal(total, Ntk.ParameterCount(model));
        // One unit per module that owns parameters directly, never the enclosing ScriptModules as well.
        var (ruled, fallback) = Ntk.Coverage(model);
        Assert.Equal(
            ["conv", "inner.att", "inner.att.out_proj", "inner.norm", "head"],
            ruled.Concat(fallback).Select(u => u.Split(' ')[0])
        );
    }

    [Fact]
    public void AFileThatIsNotTorchScriptIsRefusedNamingTheField()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("net.pt"), "not a model");
        var e = Assert.Throws<ConfigException>(() => TorchScriptModel.Load(dir.File("net.pt"), "model.path"));
        Assert.Equal("model.path", e.Field);
        Assert.Contains("not a TorchScript file", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>
    /// The exact form: <c>{"model": {"type": "torchscript", "path": "net.pt"}}</c> with <c>tangent ntk
    /// --config … --inputs X.npy --query Q.npy --dtype float64</c> on image inputs [n, 1, 6, 6] writes PyTorch's K_SS
    /// and K_QS.
    /// </summary>
    [Fact]
    public void TangentNtkOnATorchScriptCnnWritesPyTorchsKernels()
    {
        using var dir = new TempDir();
        File.Copy(Path.Combine(Fixtures, "conv_attention.pt"), dir.File("net.pt"));
        File.WriteAllText(dir.File("net.json"), """{"model": {"type": "torchscript", "path": "net.pt"}}""");
        var stderr = new StringWriter();
        int code = Tangent.Cli.TangentCli.Run(
            [
                "ntk",
                "--config",
                dir.File("net.json"),
                "--inputs",
                Path.Combine(Fixtures, "conv_attention_x.npy"),
                "--query",
                Path.Combine(Fixtures, "conv_attention_q.npy"),
                "--dtype",
                "float64",
                "--out",
                dir.File("run"),
            ],
            new StringWriter(),
            stderr
        );
        Assert.True(code == 0, stderr.ToString());
        using var scope = NewDisposeScope();
        foreach (var (written, reference) in new[] { ("K_SS", "conv_attention_kss"), ("K_QS", "conv_attention_kqs") })
        {
            var k = Npy.Read(Path.Combine(dir.File("run"), "arrays", written + ".npy")).ToTensor();
            var r = Array(reference);
            Assert.True((k - r).abs().max().item<double>() < 1e-10 * r.abs().max().item<double>(), written);
        }
        string summary = File.ReadAllText(Path.Combine(dir.File("run"), "summary.json"));
        Assert.Contains("\"outputs\": 3", summary);
    }

    [Theory]
    [InlineData("mlp_x", "--inputs", "forward fails on inputs of shape [n, 5]")]
    [InlineData("conv_attention_kss", "--inputs", "forward fails on inputs of shape [n, 12]")]
    public void InputsTheModelCannotTakeAreRefusedWithTheirShape(string inputs, string field, string message)
    {
        using var dir = new TempDir();
        File.WriteAllText(
            dir.File("net.json"),
            """{"model": {"type": "torchscript", "path": """
                + System.Text.Json.JsonSerializer.Serialize(Path.Combine(Fixtures, "conv_attention.pt"))
                + "}}"
        );
        var stderr = new StringWriter();
        int code = Tangent.Cli.TangentCli.Run(
            [
                "ntk",
                "--config",
                dir.File("net.json"),
                "--inputs",
                Path.Combine(Fixtures, inputs + ".npy"),
                "--out",
                dir.File("run"),
            ],
            new StringWriter(),
            stderr
        );
        Assert.NotEqual(0, code);
        string error = stderr.ToString().Trim();
        Assert.StartsWith($"tangent: {field}:", error);
        Assert.Contains(message, error);
        Assert.DoesNotContain('\n', error);
        Assert.False(Directory.Exists(dir.File("run")), "nothing half-written");
    }

    [Theory]
    [InlineData("""{"model": {"type": "torchscript"}}""", "model.path")]
    [InlineData("""{"model": {"type": "torchscript", "path": "x.pt", "widths": [2, 1]}}""", "model.widths")]
    [InlineData("""{"model": {"type": "mlp", "widths": [2, 1], "path": "x.pt"}}""", "model.path")]
    [InlineData("""{"model": {"type": "resnet50"}}""", "model.type")]
    public void ATorchScriptConfigThatCannotWorkNamesItsField(string json, string field)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("net.json"), json);
        var e = Assert.Throws<ConfigException>(() => Tangent.Commands.NtkConfigFile.Load(dir.File("net.json")));
        Assert.Equal(field, e.Field);
    }

    /// <summary>
    /// A PyTorch state dict (<c>torch.save(model.state_dict(), path)</c>) loads by PyTorch's key names: with every
    /// parameter zeroed first, loading the saved dict restores the model whose eNTK PyTorch computed.
    /// </summary>
    [Fact]
    public void APyTorchStateDictRestoresTheSavedWeights()
    {
        using var scope = NewDisposeScope();
        var model = TorchScriptModel.Load(Path.Combine(Fixtures, "conv_attention.pt"), "model.path");
        using (no_grad())
            foreach (var p in model.parameters())
                p.zero_();
        ParameterFiles.Load(model, Path.Combine(Fixtures, "conv_attention_state.pt"));
        using var k = Ntk.Compute(model, Array("conv_attention_x"));
        var r = Array("conv_attention_kss");
        Assert.True((k.Kss - r).abs().max().item<double>() < 1e-10 * r.abs().max().item<double>());
    }

    [Fact]
    public void AStateDictOfAnotherArchitectureIsRefusedNamingTheKey()
    {
        var model = TorchScriptModel.Load(Path.Combine(Fixtures, "conv_attention.pt"), "model.path");
        var e = Assert.Throws<ConfigException>(() =>
            ParameterFiles.Load(model, Path.Combine(Fixtures, "mlp_state.pt"))
        );
        Assert.Equal("--params", e.Field);
        Assert.Contains("no entry for 'conv.weight'", e.Message);
        Assert.Contains("0.weight", e.Message); // what the file has

        using var dir = new TempDir();
        File.WriteAllText(dir.File("weights.pt"), "not a pickle");
        var bad = Assert.Throws<ConfigException>(() => ParameterFiles.Load(model, dir.File("weights.pt")));
        Assert.Contains("not a readable state dict", bad.Message);
        Assert.DoesNotContain('\n', bad.Message);
    }

    [Fact]
    public void NpyParametersRoundTripUnderPyTorchNames()
    {
        using var dir = new TempDir();
        var model = TorchScriptModel.Load(Path.Combine(Fixtures, "mlp.pt"), "model.path");
        ParameterFiles.Save(model, dir.Path);
        Assert.True(File.Exists(dir.File("0.weight.npy")));
        var other = TorchScriptModel.Load(Path.Combine(Fixtures, "mlp.pt"), "model.path");
        using (no_grad())
            foreach (var p in other.parameters())
                p.zero_();
        ParameterFiles.Load(other, dir.Path);
        foreach (var (p, q) in model.parameters().Zip(other.parameters()))
            Assert.True(p.eq(q).all().item<bool>());
    }

    /// <summary>A .safetensors file (written by make.py from the layout's spec, not by PyBridge) restores the same
    /// weights as the TorchScript file holds.</summary>
    [Theory]
    [InlineData("mlp")]
    [InlineData("conv_attention")]
    public void ASafetensorsFileRestoresTheSavedWeights(string name)
    {
        var reference = TorchScriptModel.Load(Path.Combine(Fixtures, name + ".pt"), "model.path");
        var model = TorchScriptModel.Load(Path.Combine(Fixtures, name + ".pt"), "model.path");
        using (no_grad())
            foreach (var p in model.parameters())
                p.zero_();
        ParameterFiles.Load(model, Path.Combine(Fixtures, name + ".safetensors"));
        foreach (var (p, q) in reference.parameters().Zip(model.parameters()))
            Assert.True(p.eq(q).all().item<bool>());
    }
}
