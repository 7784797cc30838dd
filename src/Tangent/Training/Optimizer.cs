using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>
/// GD, SGD with momentum, Adam, AdamW and SNR-gated AdamW over a fixed parameter list, with its state in the open so
/// the kernel recorder can fold the preconditioner into K (THEORY §1: w ← w − η M J_Sᵀ g) and checkpoints can
/// save it. Matches TorchSharp's SGD, Adam and AdamW step for step (tests). Bias-corrected Adam: m̂ = m/(1 −
/// β₁ᵗ), v̂ = v/(1 − β₂ᵗ), w ← w − η m̂/(√v̂ + ε). SnrAdamW (THEORY §6) keeps s_t = ρ
/// s_{t−1} + (1 − ρ)(g_t − m_{t−1})², ŝ = s/(1 − ρᵗ), and steps w ← w − η q ⊙ m̂/(√v̂ + ε)
/// − η·wd·w with the gate q of <see cref="GateKind"/>. Use it in any TorchSharp loop: backward, then
/// <see cref="Step"/>.
/// </summary>
public sealed class Optimizer : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly OptimizerConfig _config;
    private readonly List<Tensor> _first = [];
    private readonly List<Tensor> _second = [];
    private readonly List<Tensor> _fluctuation = [];

    /// <summary>An optimizer for <paramref name="parameters"/>.</summary>
    public Optimizer(IReadOnlyList<Parameter> parameters, OptimizerConfig config)
    {
        _parameters = parameters;
        _config = config.Validate();
        foreach (var p in parameters)
        {
            _first.Add(zeros_like(p).DetachFromDisposeScope());
            if (IsAdam)
                _second.Add(zeros_like(p).DetachFromDisposeScope());
            if (config.Kind == OptimizerKind.SnrAdamW)
                _fluctuation.Add(zeros_like(p).DetachFromDisposeScope());
        }
    }

    /// <summary>Mean gate over all parameters at the last SnrAdamW step (1 for other optimizers).</summary>
    public double MeanGate { get; private set; } = 1;

    /// <summary>Share of parameters whose gate was exactly 0 at the last SnrAdamW step.</summary>
    public double GatedOffShare { get; private set; }

    /// <summary>Whether <see cref="Step"/> needs the batch's per-example gradient moments (the exact gate).</summary>
    public bool NeedsPerExampleMoments => _config.Kind == OptimizerKind.SnrAdamW && _config.Gate == GateKind.Exact;

    /// <summary>Steps taken.</summary>
    public long Steps { get; private set; }

    private bool IsAdam => _config.Kind is OptimizerKind.Adam or OptimizerKind.AdamW or OptimizerKind.SnrAdamW;

    /// <summary>
    /// Applies one update with learning rate <paramref name="lr"/> from the parameters' current gradients;
    /// <paramref name="moments"/> (one per parameter, in order) are required by the exact gate only.
    /// </summary>
    public void Step(double lr, IReadOnlyList<Tangent.Kernels.GradientMoments>? moments = null)
    {
        using var _ = no_grad();
        Steps++;
        if (_config.Kind == OptimizerKind.SnrAdamW)
        {
            SnrStep(lr, moments);
            return;
        }
        for (int k = 0; k < _parameters.Count; k++)
        {
            using var scope = NewDisposeScope();
            var p = _parameters[k];
            var g = p.grad ?? zeros_like(p);
            switch (_config.Kind)
            {
                case OptimizerKind.Gd:
                case OptimizerKind.Sgd:
                    if (_config.WeightDecay > 0)
                        g = g + _config.WeightDecay * p;
                    if (_config.Momentum > 0)
                    {
                        // PyTorch's convention: the first step sets the buffer to g.
                        if (Steps == 1)
                            _first[k].copy_(g);
                        else
                            _first[k].mul_(_config.Momentum).add_(g);
                        g = _first[k];
                    }
                    p.sub_(lr * g);
                    break;
                default:
                    if (_config.Kind == OptimizerKind.AdamW)
                        p.mul_(1 - lr * _config.WeightDecay);
                    else if (_config.WeightDecay > 0)
                        g = g + _config.WeightDecay * p;
                    _first[k].mul_(_config.Beta1).add_((1 - _config.Beta1) * g);
                    _second[k].mul_(_config.Beta2).add_((1 - _config.Beta2) * g.square());
                    double c1 = 1 - Math.Pow(_config.Beta1, Steps),
                        c2 = 1 - Math.Pow(_config.Beta2, Steps);
                    var denominator = (_second[k] / c2).sqrt() + _config.Eps;
                    p.sub_(lr * (_first[k] / c1) / denominator);
                    break;
            }
        }
    }

    private void SnrStep(double lr, IReadOnlyList<Tangent.Kernels.GradientMoments>? moments)
    {
        if (_config.Gate == GateKind.Exact && (moments is null || moments.Count != _parameters.Count))
            throw new ArgumentException(
                "the exact gate needs the batch's per-example gradient moments, one per parameter"
            );
        double c1 = 1 - Math.Pow(_config.Beta1, Steps),
            c2 = 1 - Math.Pow(_config.Beta2, Steps),
            c3 = 1 - Math.Pow(_config.Rho, Steps);
        double gateSum = 0,
            off = 0,
            count = 0;
        for (int k = 0; k < _parameters.Count; k++)
        {
            using var scope = NewDisposeScope();
            var p = _parameters[k];
            var g = p.grad ?? zeros_like(p);
            _fluctuation[k].mul_(_config.Rho).add_((1 - _config.Rho) * (g - _first[k]).square());
            _first[k].mul_(_config.Beta1).add_((1 - _config.Beta1) * g);
            _second[k].mul_(_config.Beta2).add_((1 - _config.Beta2) * g.square());
            var m = _first[k] / c1;
            var v = _second[k] / c2;
            var s = _fluctuation[k] / c3;
            var m2 = m.square();
            Tensor q = _config.Gate switch
            {
                GateKind.Soft => Soft(m2, s),
                GateKind.Snr => m2 / (m2 + _config.LambdaPop * s).clamp_min(1e-300),
                GateKind.Hard => m2.gt(_config.Alpha * s).to_type(p.dtype),
                GateKind.Exact => ExactGate(moments![k]),
                _ => ones_like(p),
            };
            p.mul_(1 - lr * _config.WeightDecay);
            p.sub_(lr * q * m / (v.sqrt() + _config.Eps));
            gateSum += q.sum().item<double>();
            off += q.eq(0).sum().item<long>();
            count += p.numel();
        }
        MeanGate = gateSum / count;
        GatedOffShare = off / count;
    }

    private Tensor Soft(Tensor m2, Tensor s)
    {
        var excess = (m2 - _config.Alpha * s).clamp_min(0);
        return excess / (excess + _config.LambdaPop * s + _config.Eps);
    }

    /// <summary>q = 1[ĝ² &gt; v/(b − 1)]: the batch's signal exceeds its self-influence (THEORY §5–6).</summary>
    private static Tensor ExactGate(Tangent.Kernels.GradientMoments moments)
    {
        using var scope = NewDisposeScope();
        return moments.UnbiasedSquaredMean().gt(0).to_type(moments.Sum.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The optimizer's state tensors (moments, fluctuation), named for checkpoints.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> State()
    {
        for (int k = 0; k < _first.Count; k++)
            yield return ($"first.{k}", _first[k]);
        for (int k = 0; k < _second.Count; k++)
            yield return ($"second.{k}", _second[k]);
        for (int k = 0; k < _fluctuation.Count; k++)
            yield return ($"fluctuation.{k}", _fluctuation[k]);
    }

    /// <summary>Restores state saved from <see cref="State"/> and the step count.</summary>
    public void Load(IReadOnlyDictionary<string, Tensor> state, long steps)
    {
        using var _ = no_grad();
        foreach (var (name, tensor) in State())
        {
            if (!state.TryGetValue(name, out var saved))
                throw new InvalidDataException($"checkpoint lacks optimizer state '{name}'");
            tensor.copy_(saved);
        }
        Steps = steps;
    }

    /// <summary>
    /// The diagonal preconditioner M of the coming step, over all parameters flattened in order: 1 for GD/SGD;
    /// 1/(√v̂ + ε) for Adam/AdamW with v̂ the second moment this step will use (updated with the current
    /// gradients). Momentum is not part of M: for momentum methods K = J M Jᵀ is the kernel of the current gradient
    /// only.
    /// </summary>
    public Tensor Preconditioner()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parts = new List<Tensor>();
        for (int k = 0; k < _parameters.Count; k++)
        {
            var p = _parameters[k];
            if (!IsAdam)
            {
                parts.Add(ones(p.numel(), dtype: p.dtype));
                continue;
            }
            // SnrAdamW: the gate multiplies the step, but M is the Adam preconditioner (the gate depends on the batch).
            var g = p.grad ?? zeros_like(p);
            if (_config.Kind == OptimizerKind.Adam && _config.WeightDecay > 0)
                g = g + _config.WeightDecay * p;
            var v = _second[k] * _config.Beta2 + (1 - _config.Beta2) * g.square();
            double c2 = 1 - Math.Pow(_config.Beta2, Steps + 1);
            parts.Add((1.0 / ((v / c2).sqrt() + _config.Eps)).reshape(-1));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The parameter-space direction M·m whose output image h = J M m the momentum-aware path operators start a
    /// window from (THEORY §2, "Momentum"), over all parameters flattened in order, before the coming step: the
    /// heavy-ball buffer v_{t−1} for SGD with momentum (M = 1), the raw first moment m_{t−1} times
    /// <see cref="Preconditioner"/> for the Adam family. Null for GD and SGD without momentum.
    /// </summary>
    public Tensor? MomentumDirection()
    {
        if (!IsAdam && _config.Momentum == 0)
            return null;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var m = cat(_first.Select(f => f.reshape(-1)).ToList(), 0);
        var direction = IsAdam ? m * Preconditioner() : m;
        return direction.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _first.Concat(_second).Concat(_fluctuation))
            t.Dispose();
    }
}
