using Tangent.ForwardForward;
using Tangent.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Tests.ForwardForward;

/// <summary>
/// The Forward-Forward network against its definition: the label scores equal Σ_l G_l recomputed by hand on each
/// embedded copy, each sample's scores depend on that sample alone (so its eNTK from the layer rules equals the
/// autograd reference), and the objective is layer-local — the first layer's gradient is the same with or without
/// the second layer's term.
/// </summary>
public class ForwardForwardNetTests
{
    private static ForwardForwardNet Net() => new([16, 12, 8], 4, 1.5, 2, new Generator(3));

    private static Tensor X(int n)
    {
        using var g = new Generator(11);
        return randn(n, 16, dtype: ScalarType.Float64, generator: g);
    }

    [Fact]
    public void ScoresAreTheSumOfLayerGoodnessOfEachEmbeddedCopy()
    {
        using var net = Net();
        using var x = X(5);
        using var scores = net.call(x);
        var layers = net.children().Single().children().Cast<nn.Module<Tensor, Tensor>>().ToList();
        for (int c = 0; c < 4; c++)
        {
            using var labels = full(5, c, dtype: ScalarType.Int64);
            var h = net.Embed(x, labels);
            // the label occupies the first four inputs
            Assert.Equal(1.5, h[0, c].item<double>());
            var total = zeros(5, dtype: ScalarType.Float64);
            foreach (var layer in layers)
            {
                h = nn.functional.relu(layer.call(h / (h.norm(1, keepdim: true) + 1e-4)));
                total += h.square().mean([1]);
            }
            Assert.True(total.allclose(scores[TensorIndex.Colon, c], rtol: 1e-12, atol: 1e-14), $"label {c}");
        }
    }

    [Fact]
    public void TheLayerRuleKernelEqualsTheAutogradReference()
    {
        using var net = Net();
        using var x = X(6);
        using var rules = Ntk.Compute(net, x, options: new NtkOptions { Traced = true });
        using var reference = Ntk.Compute(
            net,
            x,
            options: new NtkOptions { Traced = true, Method = NtkMethod.JacobianContraction }
        );
        double scale = reference.Kss.abs().max().item<double>();
        Assert.True((rules.Kss - reference.Kss).abs().max().item<double>() < 1e-10 * scale);
    }

    [Fact]
    public void TheObjectiveIsLayerLocal()
    {
        // Layer 1's gradient from the whole objective equals its gradient from a network truncated after layer 1
        // (same weights): layer 2's term sends nothing back through the detached input.
        using var net = Net();
        using var x = X(8);
        using var labels = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 });
        using var negative = (labels + 1).remainder(4);
        net.Loss(x, labels, negative).backward();
        var first = net.parameters().First();
        var full = first.grad!.clone();
        using var truncated = new ForwardForwardNet([16, 12], 4, 1.5, 2, new Generator(3));
        truncated.Loss(x, labels, negative).backward();
        var own = truncated.parameters().First();
        Assert.True(own.detach().allclose(first.detach()), "same first layer");
        Assert.True(full.allclose(own.grad!, rtol: 1e-12, atol: 1e-15));
    }
}
