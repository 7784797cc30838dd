using Tangent.Native;
using static TorchSharp.torch;

namespace Tangent.Tests.Native;

/// <summary>TorchSharp's native shim loads from the build output and computes (the fix-up works).</summary>
public class TorchSharpLoadsTests
{
    [Fact]
    public void SelfCheckPassesAgainstClosedForms() => Assert.StartsWith("ok", TorchSelfCheck.Run());

    [Fact]
    public void EighReconstructsRandomSymmetricMatrix()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(7);
        var a = randn(new long[] { 40, 40 }, dtype: ScalarType.Float64, generator: g);
        var s = a.matmul(a.T);
        var (values, vectors) = linalg.eigh(s);
        var rebuilt = vectors.matmul(diag(values)).matmul(vectors.T);
        double err = (rebuilt - s).abs().max().item<double>() / s.abs().max().item<double>();
        Assert.True(err < 1e-12, $"relative reconstruction error {err}");
        var identity = vectors.T.matmul(vectors) - eye(40, dtype: ScalarType.Float64);
        Assert.True(identity.abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void AutogradGradMatchesAnalyticGradientOfQuadraticForm()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var a = randn(new long[] { 5, 5 }, dtype: ScalarType.Float64, generator: g);
        var x = randn(new long[] { 5 }, dtype: ScalarType.Float64, generator: g).requires_grad_(true);
        var f = x.matmul(a.matmul(x));
        var grad = autograd.grad(new[] { f }, new[] { x })[0];
        var expected = (a + a.T).matmul(x.detach());
        Assert.True((grad - expected).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void NativeShimInBuildOutputIsTheOneTheFixUpDeploys()
    {
        if (!OperatingSystem.IsLinux())
            return;
        string deployed = Path.Combine(
            AppContext.BaseDirectory,
            "runtimes",
            "linux-x64",
            "native",
            "libLibTorchSharp.so"
        );
        Assert.True(File.Exists(deployed), $"no shim at {deployed}");
        string? libstdcxx = Tangent.Build.ShimPatcher.FindSystemLibStdCxx();
        Assert.NotNull(libstdcxx);
        var versions = new Tangent.Build.ElfImage(File.ReadAllBytes(libstdcxx!)).DefinedVersions();
        // Whatever this machine's libstdc++, the deployed shim must need nothing it lacks.
        var plan = Tangent.Build.ShimPatcher.Plan(File.ReadAllBytes(deployed), versions);
        Assert.Equal(Tangent.Build.ShimVerdict.NotNeeded, plan.Verdict);
    }
}
