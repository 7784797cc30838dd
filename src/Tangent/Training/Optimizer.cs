using TorchSharp;
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

    // The config's coefficients as Scalars held for the optimizer's lifetime (see HeldScalars).
    private readonly Scalar _weightDecay,
        _momentum,
        _beta1,
        _oneMinusBeta1,
        _beta2,
        _oneMinusBeta2;
    private readonly Scalar _eps,
        _rho,
        _oneMinusRho,
        _lambdaPop,
        _alpha,
        _one;

    /// <summary>An optimizer for <paramref name="parameters"/>.</summary>
    public Optimizer(IReadOnlyList<Parameter> parameters, OptimizerConfig config)
    {
        _parameters = parameters;
        _config = config.Validate();
        (_weightDecay, _momentum, _eps) = (
            config.WeightDecay.ToScalar(),
            config.Momentum.ToScalar(),
            config.Eps.ToScalar()
        );
        (_beta1, _oneMinusBeta1) = (config.Beta1.ToScalar(), (1 - config.Beta1).ToScalar());
        (_beta2, _oneMinusBeta2) = (config.Beta2.ToScalar(), (1 - config.Beta2).ToScalar());
        (_rho, _oneMinusRho) = (config.Rho.ToScalar(), (1 - config.Rho).ToScalar());
        (_lambdaPop, _alpha, _one) = (config.LambdaPop.ToScalar(), config.Alpha.ToScalar(), 1.ToScalar());
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

    /// <summary>Mean gate and share gated off (q = 0) per parameter tensor, in order, at the last SnrAdamW step
    /// (empty for other optimizers).</summary>
    public IReadOnlyList<(double Mean, double Off)> LayerGates { get; private set; } = [];

    /// <summary>
    /// Whether <see cref="Step"/> keeps the update it applies (<see cref="LastUpdate"/>) and the same update without
    /// the gate (<see cref="LastUngatedUpdate"/>), for the Adam family: Δw = −η q ⊙ m̂/(√v̂ + ε) and
    /// Δw₁ = −η m̂/(√v̂ + ε), flattened over the parameters, weight decay excluded.
    /// </summary>
    public bool KeepUpdates { get; set; }

    /// <summary>The last step's update (see <see cref="KeepUpdates"/>), or null.</summary>
    public Tensor? LastUpdate { get; private set; }

    /// <summary>The last step's update without the gate (see <see cref="KeepUpdates"/>), or null.</summary>
    public Tensor? LastUngatedUpdate { get; private set; }

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
        using Scalar minusLr = (-lr).ToScalar(),
            decay = (1 - lr * _config.WeightDecay).ToScalar(),
            minusLrOverC1 = (-lr / (1 - Math.Pow(_config.Beta1, Steps))).ToScalar();
        var kept = KeepUpdates && IsAdam ? new List<(Tensor Taken, Tensor Ungated)>() : null;
        if (_config.Kind == OptimizerKind.SnrAdamW)
            SnrStep(minusLr, decay, moments, kept);
        else
            PlainStep(minusLr, decay, minusLrOverC1, kept);
        if (kept is not null)
        {
            LastUpdate?.Dispose();
            LastUngatedUpdate?.Dispose();
            LastUpdate = cat(kept.Select(u => u.Taken).ToList(), 0).DetachFromDisposeScope();
            LastUngatedUpdate = cat(kept.Select(u => u.Ungated).ToList(), 0).DetachFromDisposeScope();
            foreach (var (a, b) in kept)
            {
                a.Dispose();
                b.Dispose();
            }
        }
        GC.KeepAlive(this);
    }

    private void PlainStep(
        Scalar minusLr,
        Scalar decay,
        Scalar minusLrOverC1,
        List<(Tensor Taken, Tensor Ungated)>? kept
    )
    {
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
                        g = g.add(p, _weightDecay);
                    if (_config.Momentum > 0)
                    {
                        // PyTorch's convention: the first step sets the buffer to g.
                        if (Steps == 1)
                            _first[k].copy_(g);
                        else
                            _first[k].mul_(_momentum).add_(g, _one);
                        g = _first[k];
                    }
                    p.add_(g, minusLr);
                    break;
                default:
                    if (_config.Kind == OptimizerKind.AdamW)
                        p.mul_(decay);
                    else if (_config.WeightDecay > 0)
                        g = g.add(p, _weightDecay);
                    _first[k].mul_(_beta1).add_(g, _oneMinusBeta1);
                    _second[k].mul_(_beta2).add_(g.Squared(), _oneMinusBeta2);
                    double c2 = 1 - Math.Pow(_config.Beta2, Steps);
                    var denominator = _second[k].Over(c2).sqrt().add_(_eps, _one);
                    if (kept is not null)
                    {
                        var update = _first[k].div(denominator).mul_(minusLrOverC1).reshape(-1);
                        kept.Add((update.DetachFromDisposeScope(), update.clone().DetachFromDisposeScope()));
                    }
                    p.addcdiv_(_first[k], denominator, minusLrOverC1);
                    break;
            }
        }
    }

    private void SnrStep(
        Scalar minusLr,
        Scalar decay,
        IReadOnlyList<Tangent.Kernels.GradientMoments>? moments,
        List<(Tensor Taken, Tensor Ungated)>? kept
    )
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
        var layers = new List<(double, double)>();
        for (int k = 0; k < _parameters.Count; k++)
        {
            using var scope = NewDisposeScope();
            var p = _parameters[k];
            var g = p.grad ?? zeros_like(p);
            _fluctuation[k].mul_(_rho).add_((g - _first[k]).Squared(), _oneMinusRho);
            _first[k].mul_(_beta1).add_(g, _oneMinusBeta1);
            _second[k].mul_(_beta2).add_(g.Squared(), _oneMinusBeta2);
            var m = _first[k].Over(c1);
            var v = _second[k].Over(c2);
            var s = _fluctuation[k].Over(c3);
            var q = _config.Gate == GateKind.Exact ? ExactGate(moments![k], _config.ExactAlpha) : Gate(m.Squared(), s);
            p.mul_(decay);
            var denominator = v.sqrt().add_(_eps, _one);
            if (kept is not null)
            {
                var ungated = m.div(denominator).mul_(minusLr).reshape(-1);
                kept.Add(((ungated * q.reshape(-1)).DetachFromDisposeScope(), ungated.DetachFromDisposeScope()));
            }
            p.addcdiv_(q * m, denominator, minusLr);
            double layerSum = q.sum().AsDouble();
            long layerOff = q.EqualTo(0).sum().item<long>();
            layers.Add((layerSum / p.numel(), (double)layerOff / p.numel()));
            gateSum += layerSum;
            off += layerOff;
            count += p.numel();
        }
        LayerGates = layers;
        MeanGate = gateSum / count;
        GatedOffShare = off / count;
    }

    /// <summary>The gate q(m̂², ŝ) of the soft, snr and hard rules (the exact gate needs per-example
    /// moments).</summary>
    private Tensor Gate(Tensor m2, Tensor s) =>
        _config.Gate switch
        {
            GateKind.Soft => Soft(m2, s),
            GateKind.Snr => m2 / m2.add(s, _lambdaPop).AtLeast(m2.dtype == ScalarType.Float32 ? 1e-38 : 1e-300),
            GateKind.Hard => m2.gt(s.mul(_alpha)).to_type(m2.dtype),
            _ => ones_like(m2),
        };

    private Tensor Soft(Tensor m2, Tensor s)
    {
        var excess = (m2 - s.mul(_alpha)).AtLeast(0);
        return excess / excess.add(s, _lambdaPop).add_(_eps, _one);
    }

    /// <summary>q = 1[ĝ² &gt; α v], α = 1/(b − 1) unless given: the batch's signal exceeds its self-influence
    /// (THEORY §5–6).</summary>
    private static Tensor ExactGate(Tangent.Kernels.GradientMoments moments, double? alpha)
    {
        using var scope = NewDisposeScope();
        var estimate = alpha is { } a
            ? moments.Mean().Squared() - moments.Variance().Times(a)
            : moments.UnbiasedSquaredMean();
        return estimate.Above(0).to_type(moments.Sum.dtype).MoveToOuterDisposeScope();
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
                g = g.add(p, _weightDecay);
            var v = _second[k].mul(_beta2).add_(g.Squared(), _oneMinusBeta2);
            double c2 = 1 - Math.Pow(_config.Beta2, Steps + 1);
            parts.Add(v.Over(c2).sqrt().add_(_eps, _one).reciprocal_().reshape(-1));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Whether <see cref="EffectivePreconditioner"/> can be formed before the step: every optimizer but
    /// SnrAdamW's exact gate, whose q needs the batch's per-example gradient moments.</summary>
    public bool HasEffectivePreconditioner => !NeedsPerExampleMoments;

    /// <summary>
    /// The diagonal M_eff that the coming step's update applies to the (bias-corrected) first moment,
    /// Δw = −η M_eff m̂: <see cref="Preconditioner"/> for every optimizer but SnrAdamW, where it is q ⊙ M with
    /// the gate q of this step (computed from the current gradients, as the step will; THEORY §5). The kernel of the
    /// motion the step makes is then J M_eff Jᵀ. Not available for the exact gate.
    /// </summary>
    public Tensor EffectivePreconditioner()
    {
        if (_config.Kind != OptimizerKind.SnrAdamW)
            return Preconditioner();
        if (!HasEffectivePreconditioner)
            throw new InvalidOperationException(
                "the exact gate's q needs the batch's per-example gradient moments; it has no preconditioner form"
            );
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        double c1 = 1 - Math.Pow(_config.Beta1, Steps + 1),
            c3 = 1 - Math.Pow(_config.Rho, Steps + 1);
        var gates = new List<Tensor>();
        for (int k = 0; k < _parameters.Count; k++)
        {
            var g = _parameters[k].grad ?? zeros_like(_parameters[k]);
            var s = _fluctuation[k].mul(_rho).add_((g - _first[k]).Squared(), _oneMinusRho).Over(c3);
            var m = _first[k].mul(_beta1).add_(g, _oneMinusBeta1).Over(c1);
            gates.Add(Gate(m.Squared(), s).reshape(-1));
        }
        return (Preconditioner() * cat(gates, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The parameter-space direction M·m whose output image h = J M m the momentum-aware path operators start a
    /// window from (THEORY §2, "Momentum"), over all parameters flattened in order, before the coming step: the
    /// heavy-ball buffer v_{t−1} for SGD with momentum (M = 1), the raw first moment m_{t−1} times
    /// <see cref="EffectivePreconditioner"/> for the Adam family (SnrAdamW: q ⊙ M). Null for GD and SGD without
    /// momentum.
    /// </summary>
    public Tensor? MomentumDirection()
    {
        if (!IsAdam && _config.Momentum == 0)
            return null;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var m = cat(_first.Select(f => f.reshape(-1)).ToList(), 0);
        var direction = IsAdam ? m * EffectivePreconditioner() : m;
        return direction.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _first.Concat(_second).Concat(_fluctuation))
            t.Dispose();
        LastUpdate?.Dispose();
        LastUngatedUpdate?.Dispose();
        Scalar[] held = [_weightDecay, _momentum, _beta1, _oneMinusBeta1, _beta2, _oneMinusBeta2];
        foreach (var s in held.Concat([_eps, _rho, _oneMinusRho, _lambdaPop, _alpha, _one]))
            s.Dispose();
    }
}
