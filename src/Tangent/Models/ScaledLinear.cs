using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// y = c_w · x Wᵀ + c_b · b. With W, b ~ N(0, 1), c_w = σ_w/√fan_in and c_b = σ_b this is a layer in the NTK
/// parameterization; with c_w = c_b = 1 and W ~ N(0, σ_w²/fan_in), b ~ N(0, σ_b²) it is the standard one. The eNTK
/// engine has a rule for it (a Linear rule with Grams scaled by c_w² and c_b²).
/// </summary>
public sealed class ScaledLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter? bias;

    /// <summary>An [outputs × inputs] layer with zero parameters; initialize them with
    /// <see cref="Initialize"/>.</summary>
    public ScaledLinear(
        long inputs,
        long outputs,
        bool hasBias,
        double weightScale,
        double biasScale,
        ScalarType dtype = ScalarType.Float64
    )
        : base(nameof(ScaledLinear))
    {
        weight = nn.Parameter(zeros(new[] { outputs, inputs }, dtype: dtype));
        if (hasBias)
            bias = nn.Parameter(zeros(outputs, dtype: dtype));
        WeightScale = weightScale;
        BiasScale = biasScale;
        RegisterComponents();
    }

    /// <summary>c_w.</summary>
    public double WeightScale { get; }

    /// <summary>c_b.</summary>
    public double BiasScale { get; }

    /// <summary>W [outputs, inputs].</summary>
    public Parameter Weight => weight;

    /// <summary>b [outputs], or null.</summary>
    public Parameter? Bias => bias;

    /// <summary>Draws W ~ N(0, weightStd²) and b ~ N(0, biasStd²) from <paramref name="generator"/>.</summary>
    public void Initialize(double weightStd, double biasStd, Generator generator)
    {
        using var _ = no_grad();
        weight.normal_(0, weightStd, generator);
        if (bias is not null)
        {
            if (biasStd > 0)
                bias.normal_(0, biasStd, generator);
            else
                bias.zero_();
        }
    }

    /// <summary>y = c_w · x Wᵀ + c_b · b.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = nn.functional.linear(x, weight).Times(WeightScale);
        if (bias is not null)
        {
            using var c = BiasScale.ToScalar();
            y = y.add(bias, c);
        }
        return y.MoveToOuterDisposeScope();
    }
}
