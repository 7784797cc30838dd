using Tangent.Kernels;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Models;

/// <summary>The built-in CNN: its eNTK by the layer rules (every layer has one: Conv2d and the linear head) equals
/// the autograd Jacobian contraction and the vector-product method, with residual blocks and either pooling.</summary>
public class CnnTests
{
    private static MlpConfig Config(string pool, bool residual) =>
        new()
        {
            Type = "cnn",
            Widths = [2, 4, 4, 3],
            KernelSize = 3,
            Pool = pool,
            Residual = residual,
            Activation = Activation.Tanh,
            Parameterization = Parameterization.Standard,
            WeightStd = Math.Sqrt(2),
            BiasStd = 0.1,
        };

    [Theory]
    [InlineData("avg", false)]
    [InlineData("max", true)]
    [InlineData("none", true)]
    public void CnnKernelMethodsAgree(string pool, bool residual)
    {
        using var scope = NewDisposeScope();
        var model = new Cnn(Config(pool, residual), Seeds.Generator(3));
        var g = Seeds.Generator(4);
        var x = randn(new long[] { 5, 2, 6, 6 }, dtype: ScalarType.Float64, generator: g);
        var q = randn(new long[] { 3, 2, 6, 6 }, dtype: ScalarType.Float64, generator: g);
        var (ruled, fallback) = Ntk.Coverage(model);
        Assert.Empty(fallback);
        Assert.Equal(3, ruled.Count);
        using var rules = Ntk.Compute(model, x, q, new NtkOptions { Method = NtkMethod.LayerwiseRules });
        using var jac = Ntk.Compute(model, x, q, new NtkOptions { Method = NtkMethod.JacobianContraction });
        using var vp = Ntk.Compute(model, x, q, new NtkOptions { Method = NtkMethod.NtkVectorProducts });
        double scale = jac.Kss.abs().max().item<double>();
        foreach (var other in new[] { rules, vp })
        {
            Assert.True((other.Kss - jac.Kss).abs().max().item<double>() < 1e-10 * scale, "K_SS");
            Assert.True((other.Kqs! - jac.Kqs!).abs().max().item<double>() < 1e-10 * scale, "K_QS");
        }
        Assert.Equal(Config(pool, residual).ParameterCount(), model.parameters().Sum(p => (double)p.numel()));
    }

    [Fact]
    public void TheSameSeedBuildsTheSameNetwork()
    {
        var a = new Cnn(Config("avg", false), Seeds.Generator(7));
        var b = new Cnn(Config("avg", false), Seeds.Generator(7));
        foreach (var (p, r) in a.parameters().Zip(b.parameters()))
            Assert.True(p.eq(r).all().item<bool>());
        Assert.Equal(
            ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "head.weight", "head.bias"],
            a.named_parameters().Select(p => p.name)
        );
    }

    [Theory]
    [InlineData("""{"type": "cnn", "widths": [1, 10], "parameterization": "standard"}""", "model.widths")]
    [InlineData(
        """{"type": "cnn", "widths": [1, 4, 10], "kernel_size": 2, "parameterization": "standard"}""",
        "model.kernel_size"
    )]
    [InlineData(
        """{"type": "cnn", "widths": [1, 4, 10], "pool": "sum", "parameterization": "standard"}""",
        "model.pool"
    )]
    [InlineData("""{"type": "cnn", "widths": [1, 4, 10]}""", "model.parameterization")]
    public void ABadCnnConfigNamesItsField(string json, string field)
    {
        var config = Json.ParseConfig<MlpConfig>(json, "test");
        Assert.Equal(field, Assert.Throws<ConfigException>(() => config.Validate()).Field);
    }

    private static string TrainConfig(string data, bool images) =>
        $$"""
            {
              "task": {"kind": "fashion-mnist", "data": {{System.Text.Json.JsonSerializer.Serialize(data)}},
                       "images": {{(images ? "true" : "false")}}, "pool": 4, "train_samples": 20, "test_samples": 10},
              "model": {"type": "cnn", "widths": [1, 4, 10], "parameterization": "standard", "weight_std": 1.4},
              "optimizer": {"kind": "gd", "lr": 0.05},
              "loss": "half_mse",
              "steps": 30,
              "log_every": 10,
              "risk_estimate": false,
              "record": {"schedule": "every", "every": 10, "traced": true}
            }
            """;

    /// <summary>A cnn on Fashion-MNIST images goes through tangent train and tangent analyze to a complete run; on
    /// flat inputs it is refused before anything is written.</summary>
    [Fact]
    public void ACnnTrainsOnFashionMnistImagesAndIsAnalyzed()
    {
        using var dir = new TempDir();
        Tangent.Tests.Data.SyntheticMnist.Write(dir.File("data"), 40, 20);
        File.WriteAllText(dir.File("cnn.json"), TrainConfig(dir.File("data"), images: true));
        Cli.CliRuns.TrainAndAnalyze(dir.File("cnn.json"), dir.File("run"));
        Assert.Equal(
            [20L, 1L, 7L, 7L],
            Tangent.Store.Npy.ReadShape(Path.Combine(dir.File("run"), "arrays", "train_x.npy"))
        );
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "analysis", "W_S.npy")));

        File.WriteAllText(dir.File("flat.json"), TrainConfig(dir.File("data"), images: false));
        var stderr = new StringWriter();
        Assert.NotEqual(
            0,
            Tangent.Cli.TangentCli.Run(
                ["train", "--config", dir.File("flat.json"), "--out", dir.File("flat")],
                new StringWriter(),
                stderr
            )
        );
        Assert.StartsWith("tangent: model.type:", stderr.ToString());
        Assert.False(Directory.Exists(dir.File("flat")));
    }
}
