using Tangent.Kernels;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels;

/// <summary>The Jacobian-contraction eNTK equals independent computations of the same kernel.</summary>
public class EmpiricalNtkTests
{
    private static (ScaledMlp Model, Tensor X) Problem(
        int width,
        int n,
        int inputs = 1,
        int outputs = 1,
        ulong seed = 11
    )
    {
        var g = new Generator(seed);
        var model = new ScaledMlp(inputs, width, outputs, g);
        using (no_grad())
            model.Readout.bias!.normal_(0, 1, g); // non-zero bias so every term is exercised
        var x = (
            4 * rand(new long[] { n, inputs }, dtype: ScalarType.Float64, generator: g) - 2
        ).DetachFromDisposeScope();
        return (model, x);
    }

    /// <summary>
    /// Closed form for f(x) = a·relu(Wx + b)/√N + c with h = Wx + b: K(x, x') = Σ_j relu(h_j)relu(h'_j)/N + 1 +
    /// Σ_j a_j² 1[h_j &gt; 0] 1[h'_j &gt; 0] (x·x' + 1)/N.
    /// </summary>
    [Fact]
    public void MatchesClosedFormOfOneHiddenLayerReluNetwork()
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem(width: 64, n: 25, inputs: 2);
        var (kss, _) = EmpiricalNtk.Compute(model, x);
        var h = model.Hidden.call(x);
        var phi = nn.functional.relu(h);
        var active = h.gt(0).to_type(ScalarType.Float64);
        var a2 = model.Readout.weight!.detach().square().reshape(-1);
        int width = model.Width;
        var expected = phi.matmul(phi.T) / width + 1 + (active * a2).matmul(active.T) * (x.matmul(x.T) + 1) / width;
        double err = (kss - expected.detach()).abs().max().item<double>();
        Assert.True(err < 1e-12, $"max |K − closed form| = {err}");
    }

    [Fact]
    public void MatchesCentralFiniteDifferenceJacobian()
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem(width: 16, n: 7, inputs: 1, outputs: 2);
        var jacobian = EmpiricalNtk.Jacobian(model, x);
        var ps = model.parameters().ToList();
        long total = ps.Sum(p => p.numel());
        Assert.Equal(new long[] { 7 * 2, total }, jacobian.shape);
        const double eps = 1e-6;
        var fd = zeros(new long[] { 14, total }, dtype: ScalarType.Float64);
        long col = 0;
        using (no_grad())
        {
            foreach (var p in ps)
            {
                var flat = p.view(-1);
                for (long k = 0; k < p.numel(); k++, col++)
                {
                    double w = flat[k].item<double>();
                    flat[k] = w + eps;
                    var up = model.call(x).reshape(-1);
                    flat[k] = w - eps;
                    var down = model.call(x).reshape(-1);
                    flat[k] = w;
                    fd[TensorIndex.Colon, col] = (up - down) / (2 * eps);
                }
            }
        }
        // Central differences of a piecewise-linear-in-w function: exact up to rounding (~1e-16/1e-6) away from kinks.
        double err = (jacobian - fd).abs().max().item<double>();
        Assert.True(err < 1e-8, $"max |J − J_fd| = {err}");
        var (kss, _) = EmpiricalNtk.Compute(model, x);
        Assert.True((kss - fd.matmul(fd.T)).abs().max().item<double>() < 1e-7);
    }

    [Fact]
    public void RowsAreSampleMajor()
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem(width: 8, n: 3, outputs: 2);
        var j = EmpiricalNtk.Jacobian(model, x);
        // Row i·p + c is ∂f_c(x_i)/∂w: the read-out weight gradient of output c is zero for the other output's
        // row.
        long hidden = model.Hidden.weight!.numel() + model.Hidden.bias!.numel();
        var readoutRow0 = j[1 * 2 + 0, TensorIndex.Slice(hidden, hidden + 8)];
        var readoutRow1 = j[1 * 2 + 0, TensorIndex.Slice(hidden + 8, hidden + 16)];
        Assert.True(readoutRow0.abs().sum().item<double>() > 0);
        Assert.Equal(0.0, readoutRow1.abs().sum().item<double>());
    }

    [Fact]
    public void CrossKernelAndPreconditionerFollowDefinition()
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem(width: 12, n: 6);
        var q = linspace(-1, 1, 4, dtype: ScalarType.Float64).unsqueeze(1);
        var js = EmpiricalNtk.Jacobian(model, x);
        var jq = EmpiricalNtk.Jacobian(model, q);
        var m = rand(new long[] { js.shape[1] }, dtype: ScalarType.Float64) + 0.1;
        var (kss, kqs) = EmpiricalNtk.Compute(model, x, q, m);
        Assert.True((kss - js.matmul(diag(m)).matmul(js.T)).abs().max().item<double>() < 1e-12);
        Assert.True((kqs! - jq.matmul(diag(m)).matmul(js.T)).abs().max().item<double>() < 1e-12);
    }

    [Fact]
    public void KernelIsSymmetricPositiveSemidefinite()
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem(width: 32, n: 20);
        var (kss, _) = EmpiricalNtk.Compute(model, x);
        Assert.True((kss - kss.T).abs().max().item<double>() < 1e-12);
        double lambdaMin = linalg.eigvalsh(kss).min().item<double>();
        double lambdaMax = linalg.eigvalsh(kss).max().item<double>();
        Assert.True(lambdaMin > -1e-12 * lambdaMax, $"λ_min = {lambdaMin}");
    }

    [Fact]
    public void ComputationLeaksNoTensors()
    {
        var (model, x) = Problem(width: 8, n: 5);
        using (var warm = NewDisposeScope())
            EmpiricalNtk.Compute(model, x, x);
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var scope = NewDisposeScope())
            EmpiricalNtk.Compute(model, x, x);
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
