using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>Activation functions of <see cref="Mlp"/>, by the names configs use.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    Relu,
    /// <summary>tanh x.</summary>
    Tanh,
    /// <summary>x·Φ(x) (exact, erf form).</summary>
    Gelu,
    /// <summary>erf x.</summary>
    Erf,
    /// <summary>x².</summary>
    Quadratic,
    /// <summary>x.</summary>
    Identity,
    /// <summary>max(x, αx), α = <see cref="MlpConfig.LeakySlope"/>.</summary>
    LeakyRelu,
    /// <summary>|x|.</summary>
    Abs,
    /// <summary>1/(1 + e⁻ˣ).</summary>
    Sigmoid,
    /// <summary>sin x.</summary>
    Sin,
}

/// <summary>A parameter-free elementwise function as a module.</summary>
public sealed class Elementwise(string name, Func<Tensor, Tensor> function) : nn.Module<Tensor, Tensor>(name)
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => function(x);

    /// <summary>The module computing <paramref name="activation"/>.</summary>
    public static nn.Module<Tensor, Tensor> Of(Activation activation, double leakySlope = 0.01) => activation switch
    {
        Activation.LeakyRelu => nn.LeakyReLU(leakySlope),
        Activation.Abs => new Elementwise("Abs", x => x.abs()),
        Activation.Sigmoid => nn.Sigmoid(),
        Activation.Sin => new Elementwise("Sin", x => x.sin()),
        Activation.Relu => nn.ReLU(),
        Activation.Tanh => nn.Tanh(),
        Activation.Gelu => nn.GELU(),
        Activation.Erf => new Elementwise("Erf", torch.special.erf),
        Activation.Quadratic => new Elementwise("Quadratic", x => x.square()),
        Activation.Identity => nn.Identity(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
