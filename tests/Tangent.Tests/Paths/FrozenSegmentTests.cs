using Tangent.Paths;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Paths;

/// <summary>The frozen-segment integrator equals step-by-step propagation (THEORY §2), in both its forms.</summary>
public class FrozenSegmentTests
{
    private static (Tensor P, Tensor S, Tensor Sd, Tensor Sum) StepByStep(Tensor k, Tensor b, double lr, long steps)
    {
        long n = k.shape[0];
        var a = eye(n, dtype: ScalarType.Float64) - lr * b.matmul(k);
        var kTilde = k - 0.5 * lr * k.matmul(b).matmul(k);
        var p = eye(n, dtype: ScalarType.Float64);
        var s = zeros_like(k);
        var sd = zeros_like(k);
        var sum = zeros_like(k);
        for (long j = 0; j < steps; j++)
        {
            s = s + p.T.matmul(k).matmul(p);
            sd = sd + p.T.matmul(kTilde).matmul(p);
            sum = sum + p;
            p = a.matmul(p);
        }
        return (p, s, sd, sum);
    }

    private static void Close(Tensor expected, Tensor actual, double tolerance, string what)
    {
        double err =
            (expected - actual).abs().max().item<double>() / Math.Max(1e-300, expected.abs().max().item<double>());
        Assert.True(err < tolerance, $"{what}: {err:E2}");
    }

    private static Tensor RandomKernel(long n, ulong seed, double scale)
    {
        var a = randn(new[] { n, n + 3 }, dtype: ScalarType.Float64, generator: new Generator(seed));
        var k = a.matmul(a.T) * (scale / n);
        // One exactly null direction, as ReLU networks have.
        var v = randn(new[] { n, 1 }, dtype: ScalarType.Float64, generator: new Generator(seed + 1));
        v = v / v.norm();
        var projector = eye(n, dtype: ScalarType.Float64) - v.matmul(v.T);
        return projector.matmul(k).matmul(projector);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(7L)]
    [InlineData(64L)]
    [InlineData(333L)]
    public void HalfMseClosedFormEqualsStepByStep(long steps)
    {
        using var scope = NewDisposeScope();
        long n = 12;
        var k = RandomKernel(n, 3, scale: 8.0);
        double lr = 0.3;
        var (p, s, sd, sum) = StepByStep(k, eye(n, dtype: ScalarType.Float64) / n, lr, steps);
        using var seg = FrozenSegment.HalfMse(k, lr, n, steps);
        Close(p, seg.Propagator, 1e-10, "A^k");
        Close(s, seg.Gramian, 1e-10, "Σ AᵀKA");
        Close(sd, seg.DiscreteGramian, 1e-10, "Σ Aᵀ(K − ½ηKBK)A");
        Close(sum, seg.Sum, 1e-10, "Σ A^j");
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(5L)]
    [InlineData(100L)]
    public void RepeatedSquaringEqualsStepByStepForCrossEntropyHessian(long steps)
    {
        using var scope = NewDisposeScope();
        long n = 4,
            p = 3;
        var k = RandomKernel(n * p, 5, scale: 6.0);
        var outputs = randn(new[] { n, p }, dtype: ScalarType.Float64, generator: new Generator(2));
        var b = Losses.OutputHessian(LossKind.CrossEntropy, outputs);
        var (pp, s, sd, sum) = StepByStep(k, b, 0.5, steps);
        using var seg = FrozenSegment.General(k, b, 0.5, steps);
        Close(pp, seg.Propagator, 1e-10, "A^k");
        Close(s, seg.Gramian, 1e-10, "Σ AᵀKA");
        Close(sd, seg.DiscreteGramian, 1e-10, "Σ Aᵀ(K − ½ηKBK)A");
        Close(sum, seg.Sum, 1e-10, "Σ A^j");
    }

    [Fact]
    public void BothFormsAgreeForHalfMse()
    {
        using var scope = NewDisposeScope();
        long n = 10;
        var k = RandomKernel(n, 9, scale: 3.0);
        using var closed = FrozenSegment.HalfMse(k, 0.7, n, 1000);
        using var general = FrozenSegment.General(k, eye(n, dtype: ScalarType.Float64) / n, 0.7, 1000);
        Close(closed.Gramian, general.Gramian, 1e-10, "Gramian");
        Close(closed.Sum, general.Sum, 1e-10, "Sum");
    }

    [Fact]
    public void GeometricSumIsAccurateNearOneAndAtZero()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.0, 1e-17, 1e-9, 0.5, 1.5 });
        var sums = FrozenSegment.GeometricSum(x, 1000).data<double>().ToArray();
        Assert.Equal(1000.0, sums[0]);
        Assert.Equal(1000.0 - 1000.0 * 999 / 2 * 1e-17, sums[1], 9);
        // Σ_{j<k}(1 − x)^j = k − x·k(k−1)/2 + x²·k(k−1)(k−2)/6 − …; the closed form (1 − (1 −
        // x)^k)/x loses digits in double here.
        Assert.Equal(1000 - 1e-9 * 499_500 + 1e-18 * 166_167_000, sums[2], 9);
        Assert.Equal(2.0, sums[3], 12);
        Assert.Equal((1 - Math.Pow(-0.5, 1000)) / 1.5, sums[4], 12);
    }
}
