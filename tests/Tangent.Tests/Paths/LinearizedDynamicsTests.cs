using Tangent.Kernels;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Theory;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Paths;

/// <summary>The frozen-kernel trajectory is exact for a model linear in its parameters trained by GD on
/// ½-MSE.</summary>
public class LinearizedDynamicsTests
{
    [Fact]
    public void PredictsGradientDescentOnALinearModelExactly()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(3);
        var model = new Mlp(
            new MlpConfig
            {
                Widths = [12, 1],
                Activation = Activation.Identity,
                BiasStd = 0.5,
            },
            g
        );
        var x = randn(new long[] { 8, 12 }, dtype: ScalarType.Float64, generator: g);
        var q = randn(new long[] { 5, 12 }, dtype: ScalarType.Float64, generator: g);
        var y = randn(new long[] { 8, 1 }, dtype: ScalarType.Float64, generator: g);
        using var k = Ntk.Compute(model, x, q);
        Tensor us0,
            uq0;
        using (no_grad())
        {
            us0 = model.call(x);
            uq0 = model.call(q);
        }
        const double lr = 0.3;
        using var dynamics = new LinearizedDynamics(k.Kss, k.Kqs!, us0, uq0, y, lr, x.shape[0]);
        var opt = new Optimizer(model.parameters().ToList(), new OptimizerConfig { Kind = OptimizerKind.Gd, Lr = lr });
        for (int step = 1; step <= 300; step++)
        {
            model.zero_grad();
            HalfMse.Loss(model.call(x), y).backward();
            opt.Step(lr);
            if (step is 1 or 17 or 300)
            {
                using var _ = no_grad();
                Assert.True(
                    (dynamics.TrainOutputs(step) - model.call(x)).abs().max().item<double>() < 1e-10,
                    $"train at {step}"
                );
                Assert.True(
                    (dynamics.QueryOutputs(step) - model.call(q)).abs().max().item<double>() < 1e-10,
                    $"query at {step}"
                );
            }
        }
        // P = 13 parameters > n = 8: training interpolates, and t → ∞ is the kernel interpolant.
        for (int step = 300; step < 20000; step++)
        {
            model.zero_grad();
            HalfMse.Loss(model.call(x), y).backward();
            opt.Step(lr);
        }
        using (no_grad())
            Assert.True((dynamics.QueryOutputsAtInfinity() - model.call(q)).abs().max().item<double>() < 1e-6);
    }
}
