using Tangent.Kernels;
using Tangent.Models;
using Tangent.Pinn;
using static TorchSharp.torch;

namespace Tangent.Tests.Pinn;

/// <summary>The advection objective against closed forms: the exact solution sin(x − βt) has zero residual and
/// zero misfits; for u = sin x, u_t + β u_x = β cos x.</summary>
public class AdvectionProblemTests
{
    private static readonly AdvectionConfig Noiseless = new()
    {
        NoiseStd = 0,
        Interior = 64,
        Initial = 32,
        Boundary = 16,
    };

    [Fact]
    public void TheExactSolutionHasZeroResidualAndZeroObjective()
    {
        using var problem = new AdvectionProblem(Noiseless, 3);
        using var exact = new Elementwise("exact", p => AdvectionProblem.ExactSolution(p, Noiseless.Beta));
        using var r = problem.Residuals(exact);
        Assert.Equal(problem.ResidualCount, (int)r.shape[0]);
        // Derivatives of sin by autograd are exact to rounding: |r| ≤ a few ulps of β·|cos| ≤ 5.
        Assert.True(r.abs().max().item<double>() < 1e-13);
        Assert.True(problem.RelativeError(exact) < 1e-15);
    }

    [Fact]
    public void TheResidualOfSinXIsBetaCosX()
    {
        var points = rand(200, 2, dtype: ScalarType.Float64).mul(6.0);
        using var sinX = new Elementwise("sin x", p => p.select(1, 0).sin().unsqueeze(1));
        var r = AdvectionProblem.PdeResidual(sinX, points, 5);
        var expected = points.select(1, 0).cos() * 5.0;
        Assert.True((r - expected).abs().max().item<double>() < 1e-13);
    }

    [Fact]
    public void TheObjectiveIsTheSumOfTheThreeMeanSquares()
    {
        var config = Noiseless with { NoiseStd = 0.3 };
        using var problem = new AdvectionProblem(config, 5);
        // u = 0: residual 0, periodic misfit 0, initial misfit mean (sin x₀ + σξ)² — the noisy targets' mean
        // square.
        using var zero = new Elementwise("zero", p => zeros(p.shape[0], 1, dtype: p.dtype) * p.sum(1, keepdim: true));
        double phi = problem.Objective(zero).item<double>();
        using var r = problem.Residuals(zero);
        var initial = r.narrow(0, config.Interior, config.Initial);
        Assert.Equal(initial.square().sum().item<double>(), phi, 12);
        // The targets are sin x₀ plus noise of standard deviation 0.3: their mean square is about ½ + 0.09.
        Assert.InRange(phi, 0.59 - 0.25, 0.59 + 0.25);
    }

    [Fact]
    public void ParameterJacobianRowsGiveTheEmpiricalNtk()
    {
        // For r = the model's outputs, J Jᵀ is the eNTK K_SS of the verified engine.
        using var model = new Mlp(new MlpConfig { Widths = [2, 16, 16, 1], Activation = Activation.Tanh }, new(7));
        var x = randn(12, 2, dtype: ScalarType.Float64);
        var parameters = model.parameters().Select(p => (Tensor)p).ToList();
        var j = ParameterJacobian.Rows(
            model.call(x),
            parameters,
            Enumerable.Range(0, 12).Select(i => (long)i).ToList()
        );
        using var k = Ntk.Compute(model, x);
        double scale = k.Kss.abs().max().item<double>();
        Assert.True((j.matmul(j.T) - k.Kss).abs().max().item<double>() < 1e-12 * scale);
    }
}
