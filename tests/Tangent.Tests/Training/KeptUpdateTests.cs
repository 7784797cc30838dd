using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Tests.Training;

/// <summary>
/// The update an optimizer reports keeping is the one it applied: with no weight decay, w_after − w_before equals
/// <see cref="Optimizer.LastUpdate"/>, and the ungated update equals it for AdamW and differs from it exactly by the
/// gate for SnrAdamW (Δw = q ⊙ Δw₁ with q ∈ [0, 1]).
/// </summary>
public class KeptUpdateTests
{
    [Theory]
    [InlineData(OptimizerKind.AdamW, GateKind.Soft)]
    [InlineData(OptimizerKind.SnrAdamW, GateKind.Soft)]
    [InlineData(OptimizerKind.SnrAdamW, GateKind.Hard)]
    public void TheKeptUpdateIsTheParameterChange(OptimizerKind kind, GateKind gate)
    {
        var generator = new Generator(4);
        var w = new TorchSharp.Modules.Parameter(randn(6, 3, dtype: ScalarType.Float64, generator: generator));
        var b = new TorchSharp.Modules.Parameter(randn(3, dtype: ScalarType.Float64, generator: generator));
        using var optimizer = new Optimizer(
            [w, b],
            new OptimizerConfig
            {
                Kind = kind,
                Gate = gate,
                Lr = 0.01,
                Rho = 0.9,
            }
        )
        {
            KeepUpdates = true,
        };
        var x = randn(10, 6, dtype: ScalarType.Float64, generator: generator);
        for (int step = 0; step < 12; step++)
        {
            w.grad?.zero_();
            b.grad?.zero_();
            (x.matmul(w) + b).sin().sum().backward();
            var before = cat([w.detach().reshape(-1), b.detach().reshape(-1)], 0).clone();
            optimizer.Step(0.01);
            var after = cat([w.detach().reshape(-1), b.detach().reshape(-1)], 0);
            Assert.True((after - before - optimizer.LastUpdate!).abs().max().item<double>() < 1e-15);
            var ungated = optimizer.LastUngatedUpdate!;
            if (kind == OptimizerKind.AdamW)
                Assert.Equal(0.0, (optimizer.LastUpdate! - ungated).abs().max().item<double>());
            else
            {
                // Δw = q ⊙ Δw₁ with 0 ≤ q ≤ 1: same sign (or zero) and no larger in magnitude.
                Assert.True((optimizer.LastUpdate! * ungated).ge(0).all().item<bool>());
                Assert.True((optimizer.LastUpdate!.abs() - ungated.abs()).le(1e-18).all().item<bool>());
                Assert.Equal(2, optimizer.LayerGates.Count);
            }
        }
    }

    /// <summary>
    /// The effective preconditioner and the momentum direction, read before a step, predict that step (THEORY §2,
    /// "Momentum"; no weight decay): Δw = −η c_t (β₁ M_eff m_{t−1} + (1 − β₁) M_eff g_t) with c_t the
    /// bias correction, M_eff = 1/(√v̂ + ε) for Adam and q ⊙ 1/(√v̂ + ε) for SnrAdamW, to 1e-15.
    /// </summary>
    [Theory]
    [InlineData(OptimizerKind.Adam, GateKind.Soft)]
    [InlineData(OptimizerKind.SnrAdamW, GateKind.Soft)]
    [InlineData(OptimizerKind.SnrAdamW, GateKind.Snr)]
    [InlineData(OptimizerKind.SnrAdamW, GateKind.Hard)]
    public void TheEffectivePreconditionerPredictsTheStep(OptimizerKind kind, GateKind gate)
    {
        var generator = new Generator(5);
        var w = new TorchSharp.Modules.Parameter(randn(6, 3, dtype: ScalarType.Float64, generator: generator));
        using var optimizer = new Optimizer(
            [w],
            new OptimizerConfig
            {
                Kind = kind,
                Gate = gate,
                Lr = 0.01,
                Rho = 0.9,
                WeightDecay = 0,
            }
        )
        {
            KeepUpdates = true,
        };
        var x = randn(10, 6, dtype: ScalarType.Float64, generator: generator);
        double gated = 0;
        for (int step = 0; step < 12; step++)
        {
            w.grad?.zero_();
            (x.matmul(w)).sin().sum().backward();
            var m = optimizer.EffectivePreconditioner();
            var h = optimizer.MomentumDirection()!;
            double c = 1 / (1 - Math.Pow(0.9, step + 1));
            var predicted = -0.01 * c * (0.9 * h + 0.1 * m * w.grad!.reshape(-1));
            optimizer.Step(0.01);
            double error = (predicted - optimizer.LastUpdate!).abs().max().item<double>();
            Assert.True(error < 1e-15, $"step {step}: {error:E2}");
            gated += 1 - optimizer.MeanGate;
        }
        if (kind == OptimizerKind.SnrAdamW)
            Assert.True(gated > 0.5, $"the gate barely acted: Σ(1 − mean q) = {gated}");
    }
}
