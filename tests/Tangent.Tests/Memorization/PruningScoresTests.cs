using Tangent.Memorization;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Memorization;

/// <summary>
/// EL2N against its closed form at uniform predictions, GraNd against per-example autograd gradients (brute force), and
/// the keep rule on rankings whose answer is known.
/// </summary>
public class PruningScoresTests
{
    [Fact]
    public void El2nAtUniformPredictionsIsTheClosedForm()
    {
        // p = 1/C everywhere: ‖p − e_y‖² = (1 − 1/C)² + (C − 1)/C² = (C − 1)/C.
        const int c = 10;
        var e = PruningScores.El2n(zeros(3, c), tensor(new long[] { 0, 4, 9 }));
        Assert.All(e, v => Assert.Equal(Math.Sqrt((c - 1.0) / c), v, 14));
    }

    [Fact]
    public void El2nIsZeroForAConfidentCorrectPrediction()
    {
        var logits = tensor(new double[] { 100, 0, 0, 0, 0, 100 }).reshape(2, 3);
        var e = PruningScores.El2n(logits, tensor(new long[] { 0, 1 }));
        Assert.True(e[0] < 1e-12, $"{e[0]}");
        Assert.Equal(Math.Sqrt(2), e[1], 12);
    }

    [Fact]
    public void GraNdMatchesPerExampleAutogradGradients()
    {
        using var scope = NewDisposeScope();
        var net = new Mlp(new MlpConfig { Widths = [5, 7, 3], BiasStd = 0.1 }, Tangent.Seeds.Generator(3));
        var g = Tangent.Seeds.Generator(4);
        var x = randn(new long[] { 6, 5 }, dtype: ScalarType.Float64, generator: g);
        var y = tensor(new long[] { 0, 1, 2, 2, 1, 0 });
        var grand = PruningScores.GraNd(net, x, y);
        for (int i = 0; i < 6; i++)
        {
            net.zero_grad();
            nn.functional.cross_entropy(net.call(x[i].unsqueeze(0)), y[i].unsqueeze(0)).backward();
            double squares = net.parameters().Sum(p => p.grad!.square().sum().item<double>());
            Assert.Equal(Math.Sqrt(squares), grand[i], 10);
        }
    }

    [Fact]
    public void KeepTakesTheHighestOrLowestScoresInIndexOrder()
    {
        double[] s = [0.3, 0.9, double.NaN, 0.1, 0.9, 0.5];
        Assert.Equal([1, 4, 5], PruningScores.Keep(s, 0.5, hardest: true));
        Assert.Equal([0, 3, 5], PruningScores.Keep(s, 0.5, hardest: false));
        // ⌈0.2 · 6⌉ = 2; the tie at 0.9 keeps both; NaN comes last either way.
        Assert.Equal([1, 4], PruningScores.Keep(s, 0.2, hardest: true));
        Assert.Equal([0, 1, 3, 4, 5], PruningScores.Keep(s, 5 / 6.0, hardest: false));
        Assert.Equal(6, PruningScores.Keep(s, 1, hardest: true).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => PruningScores.Keep(s, 0, hardest: true));
    }
}
