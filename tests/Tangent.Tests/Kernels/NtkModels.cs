using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels;

/// <summary>The shared list of small float64 problems every eNTK method is checked on.</summary>
public static class NtkModels
{
    public sealed record Problem(string Name, nn.Module<Tensor, Tensor> Model, Tensor XS, Tensor XQ)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<object[]> Names() => All().Select(p => new object[] { p.Name });

    public static Problem Get(string name) => All().Single(p => p.Name == name);

    public static IEnumerable<Problem> All()
    {
        yield return Make(
            "mlp-bias",
            g =>
                nn.Sequential(
                    nn.Linear(3, 6, dtype: ScalarType.Float64),
                    nn.ReLU(),
                    nn.Linear(6, 5, dtype: ScalarType.Float64),
                    nn.Tanh(),
                    nn.Linear(5, 3, dtype: ScalarType.Float64)
                ),
            g => Gaussian(g, 7, 3),
            g => Gaussian(g, 4, 3)
        );
        yield return Make(
            "mlp-nobias",
            g =>
                nn.Sequential(
                    nn.Linear(3, 6, hasBias: false, dtype: ScalarType.Float64),
                    nn.GELU(),
                    nn.Linear(6, 2, hasBias: false, dtype: ScalarType.Float64)
                ),
            g => Gaussian(g, 6, 3),
            g => Gaussian(g, 3, 3)
        );
        yield return Make(
            "conv2d",
            g =>
                nn.Sequential(
                    nn.Conv2d(2, 3, 3, padding: 1, dtype: ScalarType.Float64),
                    nn.ReLU(),
                    nn.Conv2d(3, 2, 2, stride: 2, dtype: ScalarType.Float64),
                    nn.Flatten(),
                    nn.Linear(2 * 2 * 2, 2, dtype: ScalarType.Float64)
                ),
            g => Gaussian(g, 5, 2, 5, 5),
            g => Gaussian(g, 3, 2, 5, 5)
        );
        yield return Make(
            "conv1d",
            g =>
                nn.Sequential(
                    nn.Conv1d(2, 3, 3, stride: 2, padding: 1, dtype: ScalarType.Float64),
                    nn.Tanh(),
                    nn.Flatten(),
                    nn.Linear(3 * 4, 2, dtype: ScalarType.Float64)
                ),
            g => Gaussian(g, 5, 2, 8),
            g => Gaussian(g, 2, 2, 8)
        );
        yield return Make(
            "embedding",
            g =>
                nn.Sequential(
                    nn.Embedding(7, 4, dtype: ScalarType.Float64),
                    nn.Flatten(),
                    nn.Linear(12, 2, dtype: ScalarType.Float64)
                ),
            g => randint(0, 7, new long[] { 6, 3 }, generator: g),
            g => randint(0, 7, new long[] { 3, 3 }, generator: g)
        );
        yield return Make(
            "layernorm",
            g =>
                nn.Sequential(
                    nn.Linear(4, 6, dtype: ScalarType.Float64),
                    nn.LayerNorm(6, dtype: ScalarType.Float64),
                    nn.Tanh(),
                    nn.Linear(6, 2, dtype: ScalarType.Float64)
                ),
            g => Gaussian(g, 5, 4),
            g => Gaussian(g, 3, 4)
        );
        yield return Make(
            "sequence-linear",
            g =>
                nn.Sequential(
                    nn.Linear(3, 4, dtype: ScalarType.Float64),
                    nn.Tanh(),
                    nn.Flatten(),
                    nn.Linear(8, 2, dtype: ScalarType.Float64)
                ),
            g => Gaussian(g, 5, 2, 3),
            g => Gaussian(g, 2, 2, 3)
        );
        yield return Make(
            "mlp-ntk-erf",
            g => new Tangent.Models.Mlp(
                new Tangent.Models.MlpConfig
                {
                    Widths = [3, 8, 8, 2],
                    Activation = Tangent.Models.Activation.Erf,
                    BiasStd = 0.3,
                    OutputScale = 2.0,
                },
                g
            ),
            g => Gaussian(g, 6, 3),
            g => Gaussian(g, 3, 3)
        );
        yield return Make(
            "mlp-standard-quadratic",
            g => new Tangent.Models.Mlp(
                new Tangent.Models.MlpConfig
                {
                    Widths = [3, 7, 2],
                    Activation = Tangent.Models.Activation.Quadratic,
                    Parameterization = Tangent.Models.Parameterization.Standard,
                    BiasStd = 0.5,
                },
                g
            ),
            g => Gaussian(g, 5, 3),
            g => Gaussian(g, 3, 3)
        );
        yield return Make(
            "mixed-unruled",
            g =>
                nn.Sequential(
                    nn.Linear(3, 5, dtype: ScalarType.Float64),
                    new Scale(5),
                    nn.Tanh(),
                    nn.Linear(5, 2, dtype: ScalarType.Float64)
                ),
            g => Gaussian(g, 6, 3),
            g => Gaussian(g, 3, 3)
        );
        yield return Make(
            "mlp-shared-embedding",
            g => new Tangent.Models.Mlp(
                new Tangent.Models.MlpConfig
                {
                    Widths = [10, 6, 3],
                    Embedding = 4,
                    Tokens = 2,
                    BiasStd = 0.2,
                },
                g
            ),
            g => Gaussian(g, 6, 10),
            g => Gaussian(g, 3, 10)
        );
        yield return Make(
            "transformer",
            g => new Tangent.Models.Transformer(
                new Tangent.Models.MlpConfig
                {
                    Type = "transformer",
                    Widths = [5, 8, 3],
                    Layers = 1,
                    Heads = 2,
                    Tokens = 3,
                },
                g
            ),
            g => randint(0, 5, new long[] { 6, 3 }, generator: g).to_type(ScalarType.Float64),
            g => randint(0, 5, new long[] { 3, 3 }, generator: g).to_type(ScalarType.Float64)
        );
        yield return Make("shared-layer", g => new TwiceApplied(), g => Gaussian(g, 5, 4), g => Gaussian(g, 2, 4));
    }

    private static Problem Make(
        string name,
        Func<Generator, nn.Module<Tensor, Tensor>> model,
        Func<Generator, Tensor> xs,
        Func<Generator, Tensor> xq
    )
    {
        torch.manual_seed(17);
        var g = new Generator(5);
        var m = model(g);
        using (no_grad())
            foreach (var p in m.parameters())
                if (p.dtype == ScalarType.Float64)
                    p.normal_(0, 0.8, g); // non-zero biases and affine parameters
        return new Problem(name, m, xs(g).DetachFromDisposeScope(), xq(g).DetachFromDisposeScope());
    }

    private static Tensor Gaussian(Generator g, params long[] shape) =>
        randn(shape, dtype: ScalarType.Float64, generator: g);

    /// <summary>A layer without a rule: y = x ⊙ s.</summary>
    public sealed class Scale : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter s;

        public Scale(long size)
            : base(nameof(Scale))
        {
            s = nn.Parameter(ones(size, dtype: ScalarType.Float64));
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => x * s;
    }

    /// <summary>One Linear applied twice (weight sharing): its hook fires twice, so it takes the autograd
    /// fallback.</summary>
    public sealed class TwiceApplied : nn.Module<Tensor, Tensor>
    {
        private readonly Linear shared = nn.Linear(4, 4, dtype: ScalarType.Float64);
        private readonly Linear head = nn.Linear(4, 2, dtype: ScalarType.Float64);

        public TwiceApplied()
            : base(nameof(TwiceApplied)) => RegisterComponents();

        public override Tensor forward(Tensor x) => head.call(tanh(shared.call(tanh(shared.call(x)))));
    }
}
