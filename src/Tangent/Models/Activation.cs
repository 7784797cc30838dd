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
