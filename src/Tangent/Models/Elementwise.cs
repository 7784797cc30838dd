using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>A parameter-free elementwise function as a module.</summary>
public sealed class Elementwise(string name, Func<Tensor, Tensor> function) : nn.Module<Tensor, Tensor>(name)
{
    /// <inheritdoc/>
    public override Tensor forward(Tensor x) => function(x);

    /// <summary>The module computing <paramref name="activation"/>.</summary>
    public static nn.Module<Tensor, Tensor> Of(Activation activation, double leakySlope = 0.01) =>
        activation switch
        {
            Activation.LeakyRelu => new Elementwise("LeakyReLU", x => x.LeakyRelu(leakySlope)),
            Activation.Abs => new Elementwise("Abs", x => x.abs()),
            Activation.Sigmoid => nn.Sigmoid(),
            Activation.Sin => new Elementwise("Sin", x => x.sin()),
            Activation.Relu => nn.ReLU(),
            Activation.Tanh => nn.Tanh(),
            Activation.Gelu => nn.GELU(),
            Activation.Erf => new Elementwise("Erf", torch.special.erf),
            Activation.Quadratic => new Elementwise("Quadratic", x => x.Squared()),
            Activation.Identity => nn.Identity(),
            _ => throw new ArgumentOutOfRangeException(nameof(activation)),
        };
}
