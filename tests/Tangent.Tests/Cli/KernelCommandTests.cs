using System.Text.Json;
using Tangent.Cli;
using Tangent.Commands;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Store;
using Tangent.Theory;
using static TorchSharp.torch;

namespace Tangent.Tests.Cli;

/// <summary><c>tangent kernel</c> writes the library's analytic kernels and a finite-width comparison that shrinks with
/// width.</summary>
public class KernelCommandTests
{
    [Fact]
    public void WritesAnalyticKernelsAndFiniteWidthDistances()
    {
        using var dir = new TempDir();
        var model = new MlpConfig
        {
            Widths = [3, 64, 1],
            Activation = Activation.Erf,
            BiasStd = 0.2,
        };
        File.WriteAllText(dir.File("c.json"), Json.Serialize(new NtkConfigFile { Model = model }));
        using var x = randn(new long[] { 10, 3 }, dtype: ScalarType.Float64, generator: new Generator(1));
        using var y = randn(new long[] { 10, 1 }, dtype: ScalarType.Float64, generator: new Generator(2));
        Npy.Write(dir.File("x.npy"), x);
        Npy.Write(dir.File("y.npy"), y);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = TangentCli.Run(
            [
                "kernel",
                "--config",
                dir.File("c.json"),
                "--inputs",
                dir.File("x.npy"),
                "--query",
                dir.File("x.npy"),
                "--finite-widths",
                "16",
                "1024",
                "--draws",
                "2",
                "--targets",
                dir.File("y.npy"),
                "--train-steps",
                "20",
                "--out",
                dir.File("run"),
            ],
            stdout,
            stderr
        );
        Assert.True(code == 0, stderr.ToString());
        using var expected = InfiniteWidth.Compute(model, x, x);
        var ntk = Npy.Read(Path.Combine(dir.File("run"), "arrays", "NTK.npy"));
        Assert.True((tensor(ntk.Data, ntk.Shape) - expected.Ntk).abs().max().item<double>() < 1e-12);
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "arrays", "NTK_QS.npy")));
        var distance = Npy.Read(Path.Combine(dir.File("run"), "arrays", "distance_at_init.npy")).Data;
        Assert.True(
            distance[1] < distance[0] / 3,
            $"width 1024 ({distance[1]:G3}) should be far closer to the limit than width 16 ({distance[0]:G3})"
        );
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "figures", "finite_vs_infinite.png")));
    }

    [Fact]
    public void TargetsWithoutFiniteWidthsAreRejected()
    {
        using var dir = new TempDir();
        File.WriteAllText(
            dir.File("c.json"),
            Json.Serialize(new NtkConfigFile { Model = new MlpConfig { Widths = [3, 8, 1] } })
        );
        var stderr = new StringWriter();
        int code = TangentCli.Run(
            [
                "kernel",
                "--config",
                dir.File("c.json"),
                "--inputs",
                "x.npy",
                "--targets",
                "y.npy",
                "--out",
                dir.File("run"),
            ],
            new StringWriter(),
            stderr
        );
        Assert.Equal(TangentCli.Usage, code);
        Assert.Contains("--targets", stderr.ToString());
    }
}
