using Tangent.Kernels.Layerwise;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// One forward pass of a set of inputs, keeping the autograd graph: the outputs U [n, p], and for each ruled layer its
/// input and output signals Δ[c] = ∂(Σ_i f_c(x_i))/∂y = ∂f_c(x_i)/∂y_i (samples are independent), from one
/// <c>autograd.grad</c> per output channel. Layers whose forward hook fired other than once are listed in
/// <see cref="Uncaptured"/> and handled by the autograd fallback.
/// </summary>
internal sealed class ForwardCapture : IDisposable
{
    private ForwardCapture(Tensor outputs, Dictionary<LayerPlan, Captured> layers, List<LayerPlan> uncaptured)
    {
        Outputs = outputs;
        Layers = layers;
        Uncaptured = uncaptured;
    }

    /// <summary>Network outputs [n, p], with the graph (for per-row autograd).</summary>
    public Tensor Outputs { get; }

    /// <summary>Samples n.</summary>
    public long Samples => Outputs.shape[0];

    /// <summary>Outputs per sample p.</summary>
    public long OutputsPerSample => Outputs.shape[1];

    /// <summary>Captured input and signals per ruled layer.</summary>
    public IReadOnlyDictionary<LayerPlan, Captured> Layers { get; }

    /// <summary>Ruled layers that could not be captured (called more than once per forward pass).</summary>
    public IReadOnlyList<LayerPlan> Uncaptured { get; }

    private readonly Dictionary<LayerPlan, Tensor> _gradients = [];

    /// <summary>The largest per-sample share of one captured tensor, in bytes: a layer's signals (p output rows) or
    /// its input repeated for p rows. A block of b samples allocates tensors of about b times this.</summary>
    public long BytesPerSample =>
        Layers
            .Values.Select(c => Math.Max(PerSample(c.Signals, 1), PerSample(c.Input, OutputsPerSample)))
            .DefaultIfEmpty(0)
            .Max();

    private long PerSample(Tensor t, long copies) => t.numel() / Math.Max(1, Samples) * copies * t.ElementSize;

    /// <summary>
    /// A block size for this capture's kind of samples: at most <paramref name="cap"/>, and small enough that a
    /// block's largest tensor (<see cref="BytesPerSample"/>) stays below the allocator's mmap threshold, so its
    /// buffers are reused from the heap instead of arriving as fresh pages (each zeroed by the kernel on first
    /// touch); at least <paramref name="floor"/>.
    /// </summary>
    public int BlockUnderThreshold(int cap, int floor = 8) =>
        (int)Math.Clamp(Native.Allocator.ThresholdBytes / Math.Max(1, BytesPerSample), Math.Min(floor, cap), cap);

    /// <summary>The per-example gradients of <paramref name="layer"/> over the whole capture, if kept.</summary>
    public Tensor? CachedGradients(LayerPlan layer) => _gradients.GetValueOrDefault(layer);

    /// <summary>Keeps <paramref name="gradients"/> (all samples, rows i·p + c) with the capture, which disposes of
    /// them.</summary>
    public void KeepGradients(LayerPlan layer, Tensor gradients)
    {
        var kept = gradients.detach();
        kept.DetachFromDisposeScope();
        if (_gradients.Remove(layer, out var old))
            old.Dispose();
        _gradients[layer] = kept;
    }

    /// <param name="model">The network.</param>
    /// <param name="x">Inputs [n, …].</param>
    /// <param name="ruled">Layers to capture.</param>
    /// <param name="head"> Optional map from the network outputs [n, …] to per-sample scalars [n] (e.g. per-sample
    /// losses): the capture then treats those as its outputs (p = 1), so its signals are ∂ℓ_i/∂y_i and its
    /// Jacobian rows are per-example loss gradients.
    /// </param>
    public static ForwardCapture Run(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        IReadOnlyList<LayerPlan> ruled,
        Func<Tensor, Tensor>? head = null
    )
    {
        CheckSampleIndependence(model, ruled.Count > 0);
        // Temporaries die with this scope; what the capture keeps is detached from it and owned by the capture. The
        // autograd graph holds its own references to saved activations, so it survives the scope.
        using var scope = NewDisposeScope();
        var inputs = ruled.ToDictionary(l => l, _ => new List<Tensor>());
        var outputs = ruled.ToDictionary(l => l, _ => new List<Tensor>());
        var removers = new List<Action>();
        foreach (var layer in ruled)
        {
            var module = (nn.Module<Tensor, Tensor>)layer.Module;
            var handle = module.register_forward_hook(
                (_, input, output) =>
                {
                    inputs[layer].Add(input.alias()); // aliases: Sequential disposes its intermediates
                    outputs[layer].Add(output.alias());
                    return output;
                }
            );
            removers.Add(handle.remove);
        }
        Tensor u;
        try
        {
            u = model.call(x);
        }
        finally
        {
            foreach (var remove in removers)
                remove();
        }
        if (head is not null)
            u = head(u);
        u = u.reshape(x.shape[0], -1);

        var captured = new Dictionary<LayerPlan, Captured>();
        var uncaptured = new List<LayerPlan>();
        var single = new List<LayerPlan>();
        foreach (var layer in ruled)
        {
            int fired = outputs[layer].Count;
            if (fired == 0)
                throw new InvalidOperationException(
                    $"the forward hook of layer '{layer.Name}' ({layer.Module.GetType().Name}) did not fire: call "
                        + "submodules through "
                        + ".call(...) (hooks do not fire through .forward(...)), or use NtkMethod.JacobianContraction"
                );
            if (fired == 1)
                single.Add(layer);
            else
                uncaptured.Add(layer);
        }
        if (single.Count > 0)
        {
            var targets = single.Select(l => outputs[l][0]).ToList();
            long p = u.shape[1];
            var perChannel = single.Select(_ => new List<Tensor>()).ToList();
            for (long c = 0; c < p; c++)
            {
                var grads = autograd.grad(
                    new[] { u[TensorIndex.Colon, c].sum() },
                    targets,
                    retain_graph: true,
                    allow_unused: true
                );
                for (int k = 0; k < single.Count; k++)
                    perChannel[k].Add(grads[k] is { } g && !g.IsInvalid ? g : zeros_like(targets[k]));
            }
            for (int k = 0; k < single.Count; k++)
                captured[single[k]] = new Captured(inputs[single[k]][0], stack(perChannel[k], 0));
        }
        u.DetachFromDisposeScope();
        foreach (var c in captured.Values)
        {
            c.Input.DetachFromDisposeScope();
            c.Signals.DetachFromDisposeScope();
        }
        return new ForwardCapture(u, captured, uncaptured);
    }

    /// <summary>Rows J[i·p + c, θ] = ∂f_c(x_i)/∂θ for samples [start, end), one backward pass per row.</summary>
    public Tensor JacobianRows(long start, long end, IReadOnlyList<SelectedParameter> parameters)
    {
        long p = OutputsPerSample;
        var rows = Enumerable.Range(0, (int)((end - start) * p)).Select(i => start * p + i).ToList();
        return ParameterJacobian.Rows(Outputs, parameters.Select(q => q.Tensor).ToList(), rows);
    }

    public void Dispose()
    {
        Outputs.Dispose();
        foreach (var c in Layers.Values)
        {
            c.Input.Dispose();
            c.Signals.Dispose();
        }
        foreach (var g in _gradients.Values)
            g.Dispose();
        _gradients.Clear();
    }

    private static void CheckSampleIndependence(nn.Module model, bool usesSumTrick)
    {
        if (!usesSumTrick)
            return;
        foreach (var (name, m) in model.named_modules())
            if (m.training && m is BatchNorm1d or BatchNorm2d or BatchNorm3d)
                throw new InvalidOperationException(
                    $"layer '{name}' ({m.GetType().Name}) is in training mode and mixes samples; LayerwiseRules "
                        + "needs independent samples: "
                        + "call model.eval() or use NtkMethod.JacobianContraction"
                );
    }
}
