using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// f(x) = s · L_L(φ(L_{L−1}(… φ(L_1(x))))) with <see cref="ScaledLinear"/> layers <c>layers.{2k}</c> and
/// activations φ between them (<c>layers.{2k+1}</c>), built from an <see cref="MlpConfig"/>. State-dict keys are
/// <c>layers.0.weight</c>, <c>layers.0.bias</c>, <c>layers.2.weight</c>, ….
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Sequential layers;
    private readonly double outputScale;

    /// <summary>Builds and initializes the network (draws from <paramref name="generator"/> in float64, then casts to
    /// <paramref name="dtype"/>).</summary>
    public Mlp(MlpConfig config, Generator generator, ScalarType dtype = ScalarType.Float64)
        : base(nameof(Mlp))
    {
        config.Validate();
        ConfigException.Require(
            config.Type == "mlp",
            "model.type",
            $"this command builds MLPs only, not {config.Type} (tangent ntk and tangent train take every type)",
            "use \"type\": \"mlp\" with widths here"
        );
        Config = config;
        outputScale = config.OutputScale;
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        if (config.Embedding > 0)
            modules.Add(
                (
                    "embedding",
                    new SharedEmbedding(config.Widths[0] / config.Tokens, config.Embedding, config.Tokens, generator)
                )
            );
        for (int l = 0; l + 1 < config.Widths.Count; l++)
        {
            int fanIn = l == 0 && config.Embedding > 0 ? config.Tokens * config.Embedding : config.Widths[l];
            bool ntk = config.Parameterization == Parameterization.Ntk;
            var layer = new ScaledLinear(
                fanIn,
                config.Widths[l + 1],
                config.Bias,
                weightScale: ntk ? config.WeightStd / Math.Sqrt(fanIn) : 1.0,
                biasScale: ntk ? config.BiasStd : 1.0,
                ScalarType.Float64
            );
            double standardStd = config.InitStd > 0 ? config.InitStd : config.WeightStd / Math.Sqrt(fanIn);
            layer.Initialize(
                ntk ? 1.0 : standardStd,
                ntk ? (config.BiasStd > 0 ? 1.0 : 0.0) : config.BiasStd,
                generator
            );
            modules.Add(($"{2 * l}", layer));
            if (l + 2 < config.Widths.Count)
                modules.Add(($"{2 * l + 1}", Elementwise.Of(config.Activation, config.LeakySlope)));
        }
        layers = nn.Sequential(modules);
        RegisterComponents();
        // Drawn in float64 and then cast, so a float32 network is the float64 one rounded.
        if (dtype != ScalarType.Float64)
            this.to(dtype);
    }

    /// <summary>The configuration it was built from.</summary>
    public MlpConfig Config { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        if (outputScale == 1.0)
            return layers.call(x);
        using var y = layers.call(x);
        return y.Times(outputScale);
    }
}
