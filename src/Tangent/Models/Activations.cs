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
}

/// <summary>A parameter-free elementwise function as a module.</summary>
public sealed class Elementwise(string name, Func<Tensor, Tensor> function) : nn.Module<Tensor, Tensor>(name)
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => function(x);

    /// <summary>The module computing <paramref name="activation"/>.</summary>
    public static nn.Module<Tensor, Tensor> Of(Activation activation) => activation switch
    {
        Activation.Relu => nn.ReLU(),
        Activation.Tanh => nn.Tanh(),
        Activation.Gelu => nn.GELU(),
        Activation.Erf => new Elementwise("Erf", torch.special.erf),
        Activation.Quadratic => new Elementwise("Quadratic", x => x.square()),
        Activation.Identity => nn.Identity(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };
}
