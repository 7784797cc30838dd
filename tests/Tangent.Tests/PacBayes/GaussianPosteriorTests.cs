using Tangent.PacBayes;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Tests.PacBayes;

/// <summary>
/// The posterior against properties that must hold: its draws have mean μ and standard deviation s = scale·|w|
/// (sample moments within 5 standard errors), a vanishing posterior reproduces the network's own errors, its KL is the
/// closed form of its parameters, and the bound's optimization lowers the bound's objective.
/// </summary>
public class GaussianPosteriorTests
{
    private static nn.Module<Tensor, Tensor> Net(long seed)
    {
        using var g = new Generator((ulong)seed);
        var net = nn.Linear(4, 1, hasBias: false, dtype: ScalarType.Float64);
        using (no_grad())
            net.weight!.copy_(randn(1, 4, dtype: ScalarType.Float64, generator: g));
        return net;
    }

    /// <summary>Records every output: with inputs I₄, the outputs of a draw are its weights.</summary>
    private sealed class Recorder : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> net;
        private readonly List<double[]> record;

        public Recorder(nn.Module<Tensor, Tensor> inner, List<double[]> record)
            : base("recorder")
        {
            net = inner;
            this.record = record;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            var u = net.call(x);
            record.Add(u.reshape(-1).data<double>().ToArray());
            return u;
        }
    }

    private static Tensor Labels(nn.Module<Tensor, Tensor> teacher, Tensor x)
    {
        using var _ = no_grad();
        using var u = teacher.call(x);
        return u.sign();
    }

    [Fact]
    public void DrawsHaveMeanMuAndStdScaleTimesAbsW()
    {
        using var trained = Net(1);
        using var initial = Net(2);
        using var posterior = new GaussianPosterior(trained, initial, new PacBayesSettings { InitialStdScale = 0.5 });
        var w = trained.parameters().First().detach().clone().reshape(-1).data<double>().ToArray();
        var draws = new List<double[]>();
        using var x = eye(4, dtype: ScalarType.Float64);
        using var y = ones(4, 1, dtype: ScalarType.Float64);
        using var g = new Generator(5);
        const int count = 4000;
        posterior.Errors(new Recorder(trained, draws), [(x, y)], count, g, CancellationToken.None);
        Assert.Equal(count, draws.Count);
        for (int j = 0; j < 4; j++)
        {
            var column = draws.Select(r => r[j]).ToArray();
            double mean = column.Average(),
                sd = Math.Sqrt(column.Sum(v => (v - mean) * (v - mean)) / (count - 1));
            double s = 0.5 * Math.Abs(w[j]);
            Assert.InRange(mean, w[j] - 5 * s / Math.Sqrt(count), w[j] + 5 * s / Math.Sqrt(count));
            // the standard error of a sample standard deviation is ≈ s/√(2N)
            Assert.InRange(sd, s * (1 - 5 / Math.Sqrt(2 * count)), s * (1 + 5 / Math.Sqrt(2 * count)));
        }
        // after the draws the module holds μ again
        Assert.Equal(w, trained.parameters().First().detach().reshape(-1).data<double>().ToArray());
    }

    [Fact]
    public void AVanishingPosteriorHasTheNetworksOwnErrorAndTheClosedFormKl()
    {
        using var trained = Net(1);
        using var initial = Net(2);
        using var gx = new Generator(9);
        using var x = randn(300, 4, dtype: ScalarType.Float64, generator: gx);
        using var teacher = Net(3);
        using var y = Labels(teacher, x);
        var settings = new PacBayesSettings { InitialStdScale = 1e-9 };
        using var posterior = new GaussianPosterior(trained, initial, settings);
        using var g = new Generator(1);
        var errors = posterior.Errors(trained, [(x, y)], 5, g, CancellationToken.None)[0];
        using var own = trained.call(x);
        double expected = GaussianPosterior.ErrorShare(own, y);
        Assert.True(expected > 0.05, "the networks disagree somewhere");
        Assert.All(errors, e => Assert.Equal(expected, e));

        // KL(N(w, diag s²) ‖ N(w₀, λI)) with s = max(1e-9|w|, 1e-8), by hand
        var w = trained.parameters().First().detach().reshape(-1).data<double>().ToArray();
        var w0 = initial.parameters().First().detach().reshape(-1).data<double>().ToArray();
        double lambda = 0.01,
            kl = 0;
        for (int k = 0; k < 4; k++)
        {
            double s = Math.Max(1e-9 * Math.Abs(w[k]), 1e-8);
            kl += 0.5 * ((s * s + (w[k] - w0[k]) * (w[k] - w0[k])) / lambda - 1 + Math.Log(lambda / (s * s)));
        }
        Assert.Equal(kl, posterior.KlAt(lambda), 9);
    }

    [Fact]
    public void OptimizingLowersTheBoundsObjective()
    {
        using var teacher = Net(3);
        using var trained = Net(3); // the trained network is the teacher itself: zero training error
        using var initial = Net(4);
        using var gx = new Generator(2);
        using var x = randn(200, 4, dtype: ScalarType.Float64, generator: gx);
        using var y = Labels(teacher, x);
        var settings = new PacBayesSettings { Steps = 400, BatchSize = 200 };
        using var posterior = new GaussianPosterior(trained, initial, settings);
        using var g = new Generator(6);
        var trace = posterior.Optimize(trained, x, y, settings, g, 1, CancellationToken.None);
        Assert.Equal(400, trace.Count);
        double first = trace.Take(20).Average(s => s.Objective),
            last = trace.TakeLast(20).Average(s => s.Objective);
        Assert.True(last < 0.8 * first, $"objective {first} → {last}");
        Assert.True(trace[^1].Kl < trace[0].Kl, $"KL {trace[0].Kl} → {trace[^1].Kl}");
    }
}
