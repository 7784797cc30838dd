using Tangent.Kernels;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels;

/// <summary>
/// The three eNTK methods compute the same kernel (float64, 1e-10 relative), full and traced, K_SS and K_QS, with and
/// without a preconditioner, on every shared problem. JacobianContraction is itself anchored to a closed form and to
/// finite differences in <see cref="EmpiricalNtkTests"/>.
/// </summary>
public class NtkMethodsAgreeTests
{
    private const double Tolerance = 1e-10;

    private static void AssertClose(Tensor expected, Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        double scale = Math.Max(expected.abs().max().item<double>(), 1e-300);
        double err = (expected - actual).abs().max().item<double>() / scale;
        Assert.True(err < Tolerance, $"{what}: max relative difference {err:E2}");
    }

    [Theory]
    [MemberData(nameof(NtkModels.Names), MemberType = typeof(NtkModels))]
    public void LayerwiseRulesEqualJacobianContraction(string name)
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get(name);
        foreach (bool traced in new[] { false, true })
        {
            using var reference = Ntk.Compute(
                pr.Model,
                pr.XS,
                pr.XQ,
                new NtkOptions { Method = NtkMethod.JacobianContraction, Traced = traced }
            );
            using var rules = Ntk.Compute(
                pr.Model,
                pr.XS,
                pr.XQ,
                new NtkOptions { Method = NtkMethod.LayerwiseRules, Traced = traced }
            );
            AssertClose(reference.Kss, rules.Kss, $"{name} K_SS traced={traced}");
            AssertClose(reference.Kqs!, rules.Kqs!, $"{name} K_QS traced={traced}");
        }
    }

    [Theory]
    [MemberData(nameof(NtkModels.Names), MemberType = typeof(NtkModels))]
    public void NtkVectorProductsEqualJacobianContraction(string name)
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get(name);
        foreach (bool traced in new[] { false, true })
        {
            using var reference = Ntk.Compute(
                pr.Model,
                pr.XS,
                pr.XQ,
                new NtkOptions { Method = NtkMethod.JacobianContraction, Traced = traced }
            );
            using var products = Ntk.Compute(
                pr.Model,
                pr.XS,
                pr.XQ,
                new NtkOptions { Method = NtkMethod.NtkVectorProducts, Traced = traced }
            );
            AssertClose(reference.Kss, products.Kss, $"{name} K_SS traced={traced}");
            AssertClose(reference.Kqs!, products.Kqs!, $"{name} K_QS traced={traced}");
        }
    }

    [Theory]
    [MemberData(nameof(NtkModels.Names), MemberType = typeof(NtkModels))]
    public void PreconditionedKernelsAgree(string name)
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get(name);
        long count = Ntk.ParameterCount(pr.Model);
        var m = rand(new[] { count }, dtype: ScalarType.Float64, generator: new Generator(9)) + 0.1;
        var jacobian = EmpiricalNtk.Jacobian(pr.Model, pr.XS);
        var expected = jacobian.matmul(diag(m)).matmul(jacobian.T);
        foreach (var method in Enum.GetValues<NtkMethod>())
        {
            using var k = Ntk.Compute(pr.Model, pr.XS, null, new NtkOptions { Method = method, Preconditioner = m });
            AssertClose(expected, k.Kss, $"{name} {method} with M");
        }
    }

    [Theory]
    [MemberData(nameof(NtkModels.Names), MemberType = typeof(NtkModels))]
    public void DiagonalIsTheDiagonal(string name)
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get(name);
        foreach (bool traced in new[] { false, true })
        {
            var options = new NtkOptions { Traced = traced };
            using var k = Ntk.Compute(pr.Model, pr.XS, null, options);
            AssertClose(k.Kss.diagonal(), Ntk.Diagonal(pr.Model, pr.XS, options), $"{name} diagonal traced={traced}");
            // With a preconditioner the rules' diagonal is Σ_k M_k G_ik² from per-example gradients.
            long count = Ntk.ParameterCount(pr.Model);
            var m = rand(new[] { count }, dtype: ScalarType.Float64, generator: new Generator(11)) + 0.1;
            var withM = options with { Preconditioner = m };
            using var km = Ntk.Compute(pr.Model, pr.XS, null, withM with { Method = NtkMethod.JacobianContraction });
            AssertClose(km.Kss.diagonal(), Ntk.Diagonal(pr.Model, pr.XS, withM), $"{name} diagonal with M {traced}");
        }
    }

    [Fact]
    public void SmallBlocksGiveTheSameKernel()
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get("mixed-unruled");
        long count = Ntk.ParameterCount(pr.Model);
        var m = rand(new[] { count }, dtype: ScalarType.Float64) + 0.1;
        foreach (bool traced in new[] { false, true })
        {
            using var big = Ntk.Compute(pr.Model, pr.XS, pr.XQ, new NtkOptions { Traced = traced, Preconditioner = m });
            using var small = Ntk.Compute(
                pr.Model,
                pr.XS,
                pr.XQ,
                new NtkOptions
                {
                    Traced = traced,
                    Preconditioner = m,
                    BlockElements = 1,
                }
            );
            AssertClose(big.Kss, small.Kss, "blocked K_SS");
            AssertClose(big.Kqs!, small.Kqs!, "blocked K_QS");
        }
    }

    [Fact]
    public void LayerKernelsSumToTheWholeKernel()
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get("mlp-bias");
        using var whole = Ntk.Compute(pr.Model, pr.XS);
        Tensor? sum = null;
        foreach (var prefix in new[] { "0.", "2.", "4." })
        {
            using var part = Ntk.Compute(pr.Model, pr.XS, null, new NtkOptions { Parameters = [prefix] });
            sum = sum is null ? part.Kss.clone() : sum + part.Kss;
        }
        AssertClose(whole.Kss, sum!, "Σ_layers K_layer");
        using var weightOnly = Ntk.Compute(pr.Model, pr.XS, null, new NtkOptions { Parameters = ["2.weight"] });
        using var weightRef = Ntk.Compute(
            pr.Model,
            pr.XS,
            null,
            new NtkOptions { Parameters = ["2.weight"], Method = NtkMethod.JacobianContraction }
        );
        AssertClose(weightRef.Kss, weightOnly.Kss, "single parameter");
    }
}
