using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>
/// GD, SGD with momentum, Adam and AdamW over a fixed parameter list, with its state in the open so the kernel
/// recorder can fold the preconditioner into K (THEORY §1: w ← w − η M J_Sᵀ g). Matches TorchSharp's SGD, Adam and
/// AdamW step for step (tests). Bias-corrected Adam: m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), w ← w − η m̂/(√v̂ + ε).
/// </summary>
public sealed class Optimizer : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly OptimizerConfig _config;
    private readonly List<Tensor> _first = [];
    private readonly List<Tensor> _second = [];

    /// <summary>An optimizer for <paramref name="parameters"/>.</summary>
    public Optimizer(IReadOnlyList<Parameter> parameters, OptimizerConfig config)
    {
        _parameters = parameters;
        _config = config.Validate();
        foreach (var p in parameters)
        {
            _first.Add(zeros_like(p).DetachFromDisposeScope());
            if (IsAdam) _second.Add(zeros_like(p).DetachFromDisposeScope());
        }
    }

    /// <summary>Steps taken.</summary>
    public long Steps { get; private set; }

    private bool IsAdam => _config.Kind is OptimizerKind.Adam or OptimizerKind.AdamW;

    /// <summary>Applies one update with learning rate <paramref name="lr"/> from the parameters' current gradients.</summary>
    public void Step(double lr)
    {
        using var _ = no_grad();
        Steps++;
        for (int k = 0; k < _parameters.Count; k++)
        {
            using var scope = NewDisposeScope();
            var p = _parameters[k];
            var g = p.grad ?? zeros_like(p);
            switch (_config.Kind)
            {
                case OptimizerKind.Gd:
                case OptimizerKind.Sgd:
                    if (_config.WeightDecay > 0) g = g + _config.WeightDecay * p;
                    if (_config.Momentum > 0)
                    {
                        // PyTorch's convention: the first step sets the buffer to g.
                        if (Steps == 1) _first[k].copy_(g); else _first[k].mul_(_config.Momentum).add_(g);
                        g = _first[k];
                    }
                    p.sub_(lr * g);
                    break;
                default:
                    if (_config.Kind == OptimizerKind.AdamW) p.mul_(1 - lr * _config.WeightDecay);
                    else if (_config.WeightDecay > 0) g = g + _config.WeightDecay * p;
                    _first[k].mul_(_config.Beta1).add_((1 - _config.Beta1) * g);
                    _second[k].mul_(_config.Beta2).add_((1 - _config.Beta2) * g.square());
                    double c1 = 1 - Math.Pow(_config.Beta1, Steps), c2 = 1 - Math.Pow(_config.Beta2, Steps);
                    var denominator = (_second[k] / c2).sqrt() + _config.Eps;
                    p.sub_(lr * (_first[k] / c1) / denominator);
                    break;
            }
        }
    }

    /// <summary>
    /// The diagonal preconditioner M of the coming step, over all parameters flattened in order: 1 for GD/SGD;
    /// 1/(√v̂ + ε) for Adam/AdamW with v̂ the second moment this step will use (updated with the current gradients).
    /// Momentum is not part of M: for momentum methods K = J M Jᵀ is the kernel of the current gradient only.
    /// </summary>
    public Tensor Preconditioner()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var parts = new List<Tensor>();
        for (int k = 0; k < _parameters.Count; k++)
        {
            var p = _parameters[k];
            if (!IsAdam) { parts.Add(ones(p.numel(), dtype: p.dtype)); continue; }
            var g = p.grad ?? zeros_like(p);
            if (_config.Kind == OptimizerKind.Adam && _config.WeightDecay > 0) g = g + _config.WeightDecay * p;
            var v = _second[k] * _config.Beta2 + (1 - _config.Beta2) * g.square();
            double c2 = 1 - Math.Pow(_config.Beta2, Steps + 1);
            parts.Add((1.0 / ((v / c2).sqrt() + _config.Eps)).reshape(-1));
        }
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in _first.Concat(_second)) t.Dispose();
    }
}
