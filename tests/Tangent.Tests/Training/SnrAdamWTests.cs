using Tangent.Kernels;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Tests.Training;

/// <summary>Each SNR gate against a scalar re-implementation of THEORY §6 on hand-chosen gradients.</summary>
public class SnrAdamWTests
{
    private static readonly double[][] Gradients =
    [
        [0.5, -0.2, 0.01],
        [0.4, 0.3, -0.02],
        [0.45, -0.25, 0.015],
        [0.5, 0.2, 0.0],
    ];

    /// <summary>Scalar reference: m, v, s per coordinate; q by the gate's formula; w ← w(1 − η wd) − η q
    /// m̂/(√v̂ + ε).</summary>
    private static double[] Reference(OptimizerConfig c, double[] w0, Func<int, int, double>? exactGate = null)
    {
        var w = (double[])w0.Clone();
        var m = new double[w.Length];
        var v = new double[w.Length];
        var s = new double[w.Length];
        for (int t = 1; t <= Gradients.Length; t++)
        {
            for (int k = 0; k < w.Length; k++)
            {
                double g = Gradients[t - 1][k];
                s[k] = c.Rho * s[k] + (1 - c.Rho) * (g - m[k]) * (g - m[k]);
                m[k] = c.Beta1 * m[k] + (1 - c.Beta1) * g;
                v[k] = c.Beta2 * v[k] + (1 - c.Beta2) * g * g;
                double mh = m[k] / (1 - Math.Pow(c.Beta1, t)),
                    vh = v[k] / (1 - Math.Pow(c.Beta2, t)),
                    sh = s[k] / (1 - Math.Pow(c.Rho, t));
                double excess = Math.Max(mh * mh - c.Alpha * sh, 0);
                double q = c.Gate switch
                {
                    GateKind.Soft => excess / (excess + c.LambdaPop * sh + c.Eps),
                    GateKind.Snr => mh * mh / (mh * mh + c.LambdaPop * sh),
                    GateKind.Hard => mh * mh > c.Alpha * sh ? 1 : 0,
                    GateKind.Exact => exactGate!(t, k),
                    _ => 1,
                };
                w[k] = w[k] * (1 - c.Lr * c.WeightDecay) - c.Lr * q * mh / (Math.Sqrt(vh) + c.Eps);
            }
        }
        return w;
    }

    [Theory]
    [InlineData(GateKind.Soft)]
    [InlineData(GateKind.Snr)]
    [InlineData(GateKind.Hard)]
    public void GateMatchesHandComputation(GateKind gate)
    {
        using var scope = NewDisposeScope();
        var config = new OptimizerConfig
        {
            Kind = OptimizerKind.SnrAdamW,
            Gate = gate,
            Lr = 0.1,
            WeightDecay = 0.05,
            Rho = 0.9,
            Alpha = 0.8,
            LambdaPop = 1.0,
        }; // α = 1 ties m̂² = ŝ at t = 1
        double[] w0 = [1.0, -0.5, 0.25];
        var w = nn.Parameter(tensor(w0));
        var opt = new Optimizer([w], config);
        foreach (var g in Gradients)
        {
            w.grad = tensor(g);
            opt.Step(config.Lr);
        }
        var expected = Reference(config, w0);
        var actual = w.data<double>().ToArray();
        for (int k = 0; k < 3; k++)
            Assert.Equal(expected[k], actual[k], 12);
        Assert.InRange(opt.MeanGate, 0, 1);
    }

    /// <summary>The exact gate opens coordinate k only if the batch mean's square beats the self-influence: ĝ_k² &gt;
    /// v_k/(b − 1).</summary>
    [Fact]
    public void ExactGateUsesThePerExampleRule()
    {
        using var scope = NewDisposeScope();
        var config = new OptimizerConfig
        {
            Kind = OptimizerKind.SnrAdamW,
            Gate = GateKind.Exact,
            Lr = 0.1,
        };
        // Per-example gradients for each step: b = 3 examples, 3 coordinates; the batch mean is the gradient.
        var batches = Gradients
            .Select(g =>
                new double[][]
                {
                    [g[0] * 1.1, g[1] * 3, g[2] * 9],
                    [g[0] * 0.9, -g[1], -g[2] * 9],
                    [g[0], g[1], g[2] * 3],
                }
            )
            .ToArray();
        double[] w0 = [1.0, -0.5, 0.25];
        var w = nn.Parameter(tensor(w0));
        var opt = new Optimizer([w], config);
        var gates = new double[batches.Length, 3];
        for (int t = 0; t < batches.Length; t++)
        {
            var examples = tensor(batches[t].SelectMany(r => r).ToArray(), new long[] { 3, 3 });
            var mean = examples.mean(new long[] { 0 });
            w.grad = mean;
            using var moments = new GradientMoments("w", 3, examples.sum(0L), examples.square().sum(0L));
            var variance = examples.var(0, unbiased: false);
            for (int k = 0; k < 3; k++)
                gates[t, k] = mean[k].item<double>() * mean[k].item<double>() > variance[k].item<double>() / 2 ? 1 : 0;
            opt.Step(config.Lr, [moments]);
        }
        // The batch means are the gradients of the reference (the example rows average to them); the gates are those
        // above.
        var expected = Reference(config, w0, (t, k) => gates[t - 1, k]);
        var actual = w.data<double>().ToArray();
        for (int k = 0; k < 3; k++)
            Assert.Equal(expected[k], actual[k], 10);
        Assert.Contains(0.0, gates.Cast<double>()); // some coordinate was gated off
    }

    [Fact]
    public void ExactGateWithoutMomentsIsRefused()
    {
        using var scope = NewDisposeScope();
        var w = nn.Parameter(tensor(new[] { 1.0 }));
        w.grad = tensor(new[] { 0.1 });
        var opt = new Optimizer([w], new OptimizerConfig { Kind = OptimizerKind.SnrAdamW, Gate = GateKind.Exact });
        Assert.Throws<ArgumentException>(() => opt.Step(0.1));
    }

    [Theory]
    [InlineData(ScheduleKind.Constant, 0, 0.1)]
    [InlineData(ScheduleKind.Warmup, 0, 0.01)]
    [InlineData(ScheduleKind.Warmup, 50, 0.1)]
    [InlineData(ScheduleKind.Cosine, 4, 0.05)]
    [InlineData(ScheduleKind.Cosine, 10, 0.1)]
    [InlineData(ScheduleKind.Cosine, 55, 0.055)]
    [InlineData(ScheduleKind.Cosine, 100, 0.01)]
    public void LearningRateSchedulesFollowTheirFormulas(ScheduleKind schedule, int step, double expected)
    {
        var c = new OptimizerConfig
        {
            Lr = 0.1,
            Schedule = schedule,
            WarmupSteps = 10,
            MinLr = 0.01,
        };
        Assert.Equal(expected, c.LearningRate(step, 100), 10);
    }
}
