using Tangent.Kernels;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Models;

/// <summary>The built-in decoder-only transformer: causal, every parameter ruled, and its eNTK by the layer rules
/// equals the autograd Jacobian contraction and the vector-product method.</summary>
public class TransformerTests
{
    private static readonly MlpConfig Small = new()
    {
        Type = "transformer",
        Widths = [7, 8, 5],
        Layers = 2,
        Heads = 2,
        Tokens = 3,
    };

    private static Tensor Tokens(int n, int seed) =>
        randint(0, 7, new long[] { n, 3 }, generator: Seeds.Generator(seed)).to_type(ScalarType.Float64);

    [Fact]
    public void TransformerKernelMethodsAgree()
    {
        using var scope = NewDisposeScope();
        var model = new Transformer(Small, Seeds.Generator(1));
        var x = Tokens(6, 2);
        var q = Tokens(4, 3);
        var (_, fallback) = Ntk.Coverage(model);
        Assert.Empty(fallback);
        using var jac = Ntk.Compute(model, x, q, new NtkOptions { Method = NtkMethod.JacobianContraction });
        double scale = jac.Kss.abs().max().item<double>();
        foreach (var method in new[] { NtkMethod.LayerwiseRules, NtkMethod.NtkVectorProducts })
        {
            using var k = Ntk.Compute(model, x, q, new NtkOptions { Method = method });
            Assert.True((k.Kss - jac.Kss).abs().max().item<double>() < 1e-10 * scale, $"{method} K_SS");
            Assert.True((k.Kqs! - jac.Kqs!).abs().max().item<double>() < 1e-10 * scale, $"{method} K_QS");
        }
        Assert.Equal(Small.ParameterCount(), model.parameters().Sum(p => (double)p.numel()));
    }

    /// <summary>Causality: changing the last position's input leaves a block's outputs at the earlier positions
    /// unchanged and changes its own; the readout (from the last position) sees the last token.</summary>
    [Fact]
    public void AttentionIsCausal()
    {
        using var scope = NewDisposeScope();
        var model = new Transformer(Small, Seeds.Generator(1));
        var block = new TransformerBlock(8, 2);
        var h = randn(new long[] { 1, 3, 8 }, dtype: ScalarType.Float64, generator: Seeds.Generator(5));
        var changed = h.clone();
        changed[0, 2] = randn(new long[] { 8 }, dtype: ScalarType.Float64, generator: Seeds.Generator(6));
        using (no_grad())
        {
            var a = block.call(h);
            var b = block.call(changed);
            Assert.True(
                (a[0, ..2] - b[0, ..2]).abs().max().item<double>() < 1e-14,
                "earlier positions saw a later one"
            );
            Assert.True((a[0, 2] - b[0, 2]).abs().max().item<double>() > 1e-6);
            var x = Tokens(1, 7);
            var y = x.clone();
            y[0, 2] = (y[0, 2] + 1) % 7;
            Assert.True((model.call(x) - model.call(y)).abs().max().item<double>() > 1e-6, "readout ignores the last");
        }
    }

    /// <summary>Modular arithmetic as token sequences [a, b, =] trains a transformer through tangent train, and its
    /// full-output-space kernels (cross-entropy) go through tangent analyze; the Power et al. example config reads
    /// strictly.</summary>
    [Fact]
    public void ATransformerTrainsOnModularSequencesAndIsAnalyzed()
    {
        using var dir = new TempDir();
        File.WriteAllText(
            dir.File("t.json"),
            """
            {
              "task": {"kind": "modular", "modulus": 7, "operation": "add", "train_fraction": 0.5, "sequence": true},
              "model": {"type": "transformer", "widths": [8, 8, 7], "layers": 1, "heads": 2, "tokens": 3},
              "optimizer": {"kind": "adamw", "lr": 0.01, "weight_decay": 0.1},
              "loss": "cross_entropy",
              "steps": 40,
              "log_every": 10,
              "risk_estimate": false,
              "record": {"schedule": "every", "every": 20}
            }
            """
        );
        Cli.CliRuns.TrainAndAnalyze(dir.File("t.json"), dir.File("run"));
        var x = Tangent.Store.Npy.Read(Path.Combine(dir.File("run"), "arrays", "train_x.npy"));
        Assert.Equal([24L, 3L], x.Shape); // round(0.5 · 49) = 24 pairs (half to even), each [a, b, =]
        Assert.All(x.Data.Where((_, i) => i % 3 == 2), v => Assert.Equal(7, v));
        Assert.True(File.Exists(Path.Combine(dir.File("run"), "analysis", "W_S.npy")));

        string example = Path.Combine(Cli.BadInputTests.RepoRoot(), "docs", "examples", "transformer-modular.json");
        var config = Tangent.Commands.TrainRun.Load(example);
        Assert.Equal("transformer", config.Model.Type);
        Assert.Equal(4, config.Model.Heads);
    }
}
