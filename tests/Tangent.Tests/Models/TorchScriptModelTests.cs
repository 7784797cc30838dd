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
}
