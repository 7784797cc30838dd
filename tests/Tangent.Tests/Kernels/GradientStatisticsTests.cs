using Tangent.Kernels;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels;

/// <summary>Per-example gradient moments equal a brute-force loop of per-sample backward passes.</summary>
public class GradientStatisticsTests
{
    private static Func<Tensor, Tensor> HalfSquaredError(Tensor targets) =>
        u => 0.5 * (u.reshape(u.shape[0], -1) - targets).square().sum(1);

    /// <summary>A test model, its sample count and random regression targets shaped like its outputs.</summary>
    private static (NtkModels.Problem Problem, long N, Tensor Targets) WithTargets(string name, ulong seed)
    {
        var pr = NtkModels.Get(name);
        long n = pr.XS.shape[0];
        Tensor outputs;
        using (no_grad())
            outputs = pr.Model.call(pr.XS).reshape(n, -1);
        return (pr, n, randn(outputs.shape, dtype: ScalarType.Float64, generator: new Generator(seed)));
    }

    [Theory]
    [MemberData(nameof(NtkModels.Names), MemberType = typeof(NtkModels))]
    public void MomentsEqualPerSampleAutogradLoop(string name)
    {
        using var scope = NewDisposeScope();
        var (pr, n, targets) = WithTargets(name, 3);
        var loss = HalfSquaredError(targets);

        var parameters = pr.Model.named_parameters().ToList();
        var sum = parameters.Select(p => zeros_like(p.parameter)).ToList();
        var squares = parameters.Select(p => zeros_like(p.parameter)).ToList();
        for (long i = 0; i < n; i++)
        {
            var ui = pr.Model.call(pr.XS.narrow(0, i, 1)).reshape(1, -1);
            var li = HalfSquaredError(targets.narrow(0, i, 1))(ui).sum();
            var grads = autograd.grad(
                new[] { li },
                parameters.Select(p => (Tensor)p.parameter).ToList(),
                allow_unused: true
            );
            for (int k = 0; k < grads.Count; k++)
            {
                if (grads[k] is null || grads[k].IsInvalid)
                    continue;
                sum[k] += grads[k];
                squares[k] += grads[k].square();
            }
        }
        foreach (var method in new[] { NtkMethod.LayerwiseRules, NtkMethod.JacobianContraction })
        {
            var moments = GradientStatistics.Compute(
                pr.Model,
                pr.XS,
                loss,
                new NtkOptions { Method = method, BlockElements = 64 }
            );
            Assert.Equal(parameters.Select(p => p.name), moments.Select(m => m.Name));
            // A parameter whose gradient vanishes identically (a key bias: softmax ignores a shift shared by all
            // keys) is compared at the model's round-off scale, not its own.
            double floor = 1e-3 * squares.Max(q => q.abs().max().item<double>());
            for (int k = 0; k < parameters.Count; k++)
            {
                Assert.Equal(n, moments[k].Count);
                double scale = Math.Max(floor, squares[k].abs().max().item<double>());
                Assert.True(
                    (moments[k].Sum - sum[k]).abs().max().item<double>()
                        < 1e-10 * Math.Max(1, sum[k].abs().max().item<double>()),
                    $"{name} {method} sum {moments[k].Name}"
                );
                Assert.True(
                    (moments[k].SumOfSquares - squares[k]).abs().max().item<double>() < 1e-10 * scale,
                    $"{name} {method} squares {moments[k].Name}"
                );
            }
        }
    }

    /// <summary>s_i = g_iᵀ M g_i from the layer rules (and the fallback) equals per-sample backward passes, with M =
    /// I and a random M.</summary>
    [Theory]
    [MemberData(nameof(NtkModels.Names), MemberType = typeof(NtkModels))]
    public void PreconditionedSquaredNormsEqualPerSampleAutogradLoop(string name)
    {
        using var scope = NewDisposeScope();
        var (pr, n, targets) = WithTargets(name, 5);
        var parameters = pr.Model.parameters().ToList();
        long count = parameters.Sum(p => p.numel());
        var m = rand(count, dtype: ScalarType.Float64, generator: new Generator(6)) + 0.1;
        var plain = zeros(n, dtype: ScalarType.Float64);
        var weighted = zeros(n, dtype: ScalarType.Float64);
        for (long i = 0; i < n; i++)
        {
            var li = HalfSquaredError(targets.narrow(0, i, 1))(pr.Model.call(pr.XS.narrow(0, i, 1)).reshape(1, -1))
                .sum();
            var grads = autograd.grad(new[] { li }, parameters.Select(p => (Tensor)p).ToList(), allow_unused: true);
            var g = cat(
                grads
                    .Select(
                        (q, k) =>
                            q is null || q.IsInvalid
                                ? zeros(parameters[k].numel(), dtype: ScalarType.Float64)
                                : q.reshape(-1)
                    )
                    .ToArray(),
                0
            );
            plain[i] = g.square().sum();
            weighted[i] = (g.square() * m).sum();
        }
        foreach (var method in new[] { NtkMethod.LayerwiseRules, NtkMethod.JacobianContraction })
        {
            var options = new NtkOptions { Method = method, BlockElements = 64 };
            var s0 = GradientStatistics.PreconditionedSquaredNorms(pr.Model, pr.XS, HalfSquaredError(targets), options);
            var s1 = GradientStatistics.PreconditionedSquaredNorms(
                pr.Model,
                pr.XS,
                HalfSquaredError(targets),
                options with
                {
                    Preconditioner = m,
                }
            );
            Assert.True(
                (s0 - plain).abs().max().item<double>() < 1e-10 * Math.Max(1, plain.abs().max().item<double>()),
                $"{name} {method} M = I"
            );
            Assert.True(
                (s1 - weighted).abs().max().item<double>() < 1e-10 * Math.Max(1, weighted.abs().max().item<double>()),
                $"{name} {method} random M"
            );
        }
    }

    [Fact]
    public void APreconditionerOfTheWrongLengthIsRejected()
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get((string)NtkModels.Names().First()[0]);
        Assert.Throws<ArgumentException>(() =>
            GradientStatistics.PreconditionedSquaredNorms(
                pr.Model,
                pr.XS,
                u => u.reshape(u.shape[0], -1).sum(1),
                new NtkOptions { Preconditioner = ones(3, dtype: ScalarType.Float64) }
            )
        );
    }

    /// <summary>
    /// Over every one of the N^b batches drawn with replacement from a fixed population of per-example gradients, the
    /// average of ĝ² − v/(b − 1) is exactly μ², the squared population mean (THEORY §5).
    /// </summary>
    [Fact]
    public void UnbiasedSquaredMeanIsUnbiasedOverAllBatches()
    {
        using var scope = NewDisposeScope();
        var population = randn(new long[] { 4, 3 }, dtype: ScalarType.Float64, generator: new Generator(8));
        var mu2 = population.mean(new long[] { 0 }).square();
        const int b = 3;
        var total = zeros(3, dtype: ScalarType.Float64);
        int batches = 0;
        for (int a0 = 0; a0 < 4; a0++)
        for (int a1 = 0; a1 < 4; a1++)
        for (int a2 = 0; a2 < 4; a2++)
        {
            var batch = population.index_select(0, tensor(new long[] { a0, a1, a2 }));
            using var m = new GradientMoments("g", b, batch.sum(0L), batch.square().sum(0L));
            total += m.UnbiasedSquaredMean();
            batches++;
        }
        Assert.True((total / batches - mu2).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void CombinedMomentsEqualMomentsOfTheUnion()
    {
        using var scope = NewDisposeScope();
        var g = randn(new long[] { 10, 2 }, dtype: ScalarType.Float64);
        var a = new GradientMoments("w", 6, g[..6].sum(0L), g[..6].square().sum(0L));
        var b = new GradientMoments("w", 4, g[6..].sum(0L), g[6..].square().sum(0L));
        var c = a.Combine(b);
        Assert.Equal(10, c.Count);
        Assert.True((c.Variance() - g.var(0, unbiased: false)).abs().max().item<double>() < 1e-12);
    }
}
