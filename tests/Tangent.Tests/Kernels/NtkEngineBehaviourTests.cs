using Tangent.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels;

/// <summary>Failure modes, coverage reporting, tensor lifetimes and the matrix-free top of the spectrum.</summary>
public class NtkEngineBehaviourTests
{
    [Fact]
    public void MissingRuleThrowModeNamesTheLayer()
    {
        var pr = NtkModels.Get("mixed-unruled");
        var e = Assert.Throws<NotSupportedException>(() =>
            Ntk.Compute(pr.Model, pr.XS, null, new NtkOptions { MissingRule = MissingRule.Throw })
        );
        Assert.Contains("'1'", e.Message);
        Assert.Contains("Scale", e.Message);
    }

    [Fact]
    public void CoverageListsRuledAndFallbackLayers()
    {
        var (ruled, fallback) = Ntk.Coverage(NtkModels.Get("mixed-unruled").Model);
        Assert.Equal(["0 (Linear)", "3 (Linear)"], ruled);
        Assert.Equal(["1 (Scale)"], fallback);
    }

    private sealed class CallsForwardDirectly : nn.Module<Tensor, Tensor>
    {
        private readonly Linear inner = nn.Linear(3, 2, dtype: ScalarType.Float64);

        public CallsForwardDirectly()
            : base(nameof(CallsForwardDirectly)) => RegisterComponents();

        public override Tensor forward(Tensor x) => inner.forward(x); // bypasses hooks
    }

    [Fact]
    public void HookThatDidNotFireIsAnError()
    {
        using var x = randn(4, 3, dtype: ScalarType.Float64);
        var e = Assert.Throws<InvalidOperationException>(() => Ntk.Compute(new CallsForwardDirectly(), x));
        Assert.Contains("did not fire", e.Message);
        // The reference method needs no hooks.
        using var k = Ntk.Compute(
            new CallsForwardDirectly(),
            x,
            null,
            new NtkOptions { Method = NtkMethod.JacobianContraction }
        );
        Assert.Equal(new long[] { 8, 8 }, k.Kss.shape);
    }

    [Fact]
    public void BatchNormInTrainingModeIsRefusedByRules()
    {
        var model = nn.Sequential(
            nn.Linear(3, 4, dtype: ScalarType.Float64),
            nn.BatchNorm1d(4, dtype: ScalarType.Float64),
            nn.Linear(4, 1, dtype: ScalarType.Float64)
        );
        using var x = randn(5, 3, dtype: ScalarType.Float64);
        Assert.Throws<InvalidOperationException>(() => Ntk.Compute(model, x));
    }

    [Fact]
    public void UnknownParameterNameIsRefused()
    {
        var pr = NtkModels.Get("mlp-bias");
        var e = Assert.Throws<ArgumentException>(() =>
            Ntk.Compute(pr.Model, pr.XS, null, new NtkOptions { Parameters = ["9.weight"] })
        );
        Assert.Contains("9.weight", e.Message);
    }

    [Theory]
    [InlineData(NtkMethod.LayerwiseRules)]
    [InlineData(NtkMethod.JacobianContraction)]
    [InlineData(NtkMethod.NtkVectorProducts)]
    public void RepeatedCallsLeakNoTensors(NtkMethod method)
    {
        var pr = NtkModels.Get("mixed-unruled");
        var options = new NtkOptions { Method = method };
        using (Ntk.Compute(pr.Model, pr.XS, pr.XQ, options)) { }
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 3; i++)
            using (Ntk.Compute(pr.Model, pr.XS, pr.XQ, options)) { }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void VectorProductEqualsDenseProduct()
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get("conv2d");
        using var dense = Ntk.Compute(
            pr.Model,
            pr.XS,
            pr.XQ,
            new NtkOptions { Method = NtkMethod.JacobianContraction }
        );
        using var op = new NtkVectorProducts(pr.Model, pr.XQ, pr.XS);
        var v = randn(new[] { op.InputDimension }, dtype: ScalarType.Float64);
        var expected = dense.Kqs!.matmul(v);
        Assert.True((op.Apply(v) - expected).abs().max().item<double>() < 1e-10 * expected.abs().max().item<double>());
    }

    [Fact]
    public void LanczosTopEigenpairsMatchDenseEigh()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(4);
        var model = nn.Sequential(
            nn.Linear(5, 32, dtype: ScalarType.Float64),
            nn.ReLU(),
            nn.Linear(32, 3, dtype: ScalarType.Float64)
        );
        var x = randn(new long[] { 30, 5 }, dtype: ScalarType.Float64, generator: g);
        using var dense = Ntk.Compute(model, x);
        var exact = linalg.eigvalsh(dense.Kss).flip(0);
        using var op = new NtkVectorProducts(model, x, x);
        using var ritz = Lanczos.TopEigenpairs(op.Apply, op.InputDimension, k: 5, iterations: 40);
        for (int i = 0; i < 5; i++)
        {
            double lambda = exact[i].item<double>();
            Assert.True(Math.Abs(ritz.Values[i].item<double>() - lambda) < 1e-8 * exact[0].item<double>(), $"λ_{i}");
            Assert.True(ritz.Residuals[i] < 1e-6 * exact[0].item<double>(), $"residual {i} = {ritz.Residuals[i]}");
            var y = ritz.Vectors[TensorIndex.Colon, i];
            Assert.True((dense.Kss.matmul(y) - lambda * y).norm().item<double>() < 1e-6 * lambda);
        }
    }

    [Fact]
    public void LanczosOnExactlyLowRankOperatorStopsEarlyWithExactValues()
    {
        using var scope = NewDisposeScope();
        var u = linalg.qr(randn(new long[] { 50, 3 }, dtype: ScalarType.Float64)).Q;
        var a = u.matmul(diag(tensor(new double[] { 9, 4, 1 }))).matmul(u.T);
        using var ritz = Lanczos.TopEigenpairs(v => a.matmul(v), 50, k: 3, iterations: 30);
        Assert.True(ritz.Iterations <= 4);
        Assert.Equal(new[] { 9.0, 4.0, 1.0 }, ritz.Values.data<double>().ToArray().Select(v => Math.Round(v, 10)));
    }
}
