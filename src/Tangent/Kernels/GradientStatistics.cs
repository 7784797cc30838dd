using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// Per-example gradient statistics from the eNTK engine's layer rules: for per-sample losses ℓ_i, the batch sum Σ_i
/// ∇ℓ_i and the sum of squares Σ_i (∇ℓ_i)² of every selected parameter, without per-example gradients in
/// memory for ruled layers (a Linear layer costs one matrix product: (δ²)ᵀ(a²)); other layers use per-example
/// autograd in blocks. The optimizer (SNR gate) and population-risk estimates need exactly this.
/// </summary>
public static class GradientStatistics
{
    /// <summary>
    /// Moments of ∇ℓ_i for ℓ = <paramref name="perSampleLoss"/>(model(x)) (a vector [n]), one entry per selected
    /// parameter in <c>named_parameters()</c> order. Only <see cref="NtkOptions.Parameters"/>,
    /// <see cref="NtkOptions.MissingRule"/>, <see cref="NtkOptions.BlockElements"/> and the method (rules or not)
    /// apply.
    /// </summary>
    public static IReadOnlyList<GradientMoments> Compute(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        Func<Tensor, Tensor> perSampleLoss,
        NtkOptions? options = null
    )
    {
        options ??= new NtkOptions();
        var plan = ModelPlan.Build(
            model,
            options.Parameters,
            options.Method == NtkMethod.LayerwiseRules,
            options.MissingRule
        );
        var ruled = plan.Layers.Where(l => l.Rule is not null).ToList();
        using var cap = ForwardCapture.Run(model, x, ruled, head: perSampleLoss);
        using var scope = NewDisposeScope();
        long n = cap.Samples;
        if (cap.OutputsPerSample != 1)
            throw new ArgumentException("perSampleLoss must return one value per sample");

        var tensors = plan.Parameters.Select(q => q.Tensor).ToList();
        var sums = autograd
            .grad(new[] { cap.Outputs.sum() }, tensors, retain_graph: true, allow_unused: true)
            .Select((g, k) => g is null || g.IsInvalid ? zeros_like(tensors[k]) : g)
            .ToList();
        var squares = new Dictionary<SelectedParameter, Tensor>();

        foreach (var layer in ruled.Where(cap.Layers.ContainsKey))
        {
            var flat =
                layer.Rule!.StructuredSumOfSquares(layer, cap.Layers[layer])
                ?? SquaresByBlocks(
                    layer.Parameters,
                    n,
                    options,
                    (s, e) =>
                        layer.Rule.PerExampleGradients(
                            layer,
                            cap.Layers[layer].Input.narrow(0, s, e - s),
                            cap.Layers[layer].Signals[0].narrow(0, s, e - s)
                        )
                );
            Split(flat, layer.Parameters, squares);
        }
        var fallback = Ntk.FallbackParameters(plan, cap);
        if (fallback.Count > 0)
            Split(SquaresByBlocks(fallback, n, options, (s, e) => cap.JacobianRows(s, e, fallback)), fallback, squares);

        return plan
            .Parameters.Select(
                (q, k) =>
                    new GradientMoments(
                        q.Name,
                        n,
                        sums[k].detach().MoveToOuterDisposeScope(),
                        squares[q].reshape(q.Tensor.shape).MoveToOuterDisposeScope()
                    )
            )
            .ToList();
    }

    /// <summary>
    /// Per-example squared gradient norms in the metric of a diagonal preconditioner M: s_i = Σ_k M_k
    /// (∂ℓ_i/∂θ_k)² = g_iᵀ M g_i, a vector [n], for ℓ = <paramref name="perSampleLoss"/>(model(x)).
    /// (η/n)·s_i is the first-order decrease of ℓ_i caused by example i's own share of a full-batch step θ ← θ
    /// − η M (1/n) Σ_j g_j: the self-influence term of THEORY §5, per example. M is
    /// <see cref="NtkOptions.Preconditioner"/> (null: M = I), flattened over the selected parameters in
    /// <c>named_parameters()</c> order. Linear layers on 2-D inputs need one matrix product (a²)Mᵀ against δ²,
    /// Linear layers on short sequences and embeddings one over position pairs; other ruled layers give their
    /// per-example gradients block by block; the rest come from autograd Jacobian rows.
    /// </summary>
    public static Tensor PreconditionedSquaredNorms(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        Func<Tensor, Tensor> perSampleLoss,
        NtkOptions? options = null
    )
    {
        options ??= new NtkOptions();
        var plan = Ntk.Plan(model, options);
        var ruled = plan.Layers.Where(l => l.Rule is not null).ToList();
        using var cap = ForwardCapture.Run(model, x, ruled, head: perSampleLoss);
        if (cap.OutputsPerSample != 1)
            throw new ArgumentException("perSampleLoss must return one value per sample");
        long n = cap.Samples;
        var total = zeros(n, dtype: plan.Parameters[0].Tensor.dtype, device: plan.Parameters[0].Tensor.device);
        Tensor? Weights(IReadOnlyList<SelectedParameter> parameters) =>
            ModelPlan.Slice(options.Preconditioner, parameters);
        void Accumulate(IReadOnlyList<SelectedParameter> parameters, Func<long, long, Tensor> rows)
        {
            using var scope = NewDisposeScope();
            var weights = Weights(parameters);
            long block = Math.Max(1, options.BlockElements / Math.Max(1, parameters.Sum(q => q.Size)));
            for (long s = 0; s < n; s += block)
            {
                using var inner = NewDisposeScope();
                long e = Math.Min(n, s + block);
                var squares = rows(s, e).Squared();
                total.narrow(0, s, e - s).AddInPlace((weights is null ? squares : squares * weights).sum(1));
            }
        }
        foreach (var layer in ruled.Where(cap.Layers.ContainsKey))
        {
            using (var scope = NewDisposeScope())
                if (
                    layer.Rule!.StructuredWeightedSquaredNorms(layer, cap.Layers[layer], Weights(layer.Parameters)) is
                    { } structured
                )
                {
                    total.AddInPlace(structured);
                    continue;
                }
            Accumulate(
                layer.Parameters,
                (s, e) =>
                    layer.Rule!.PerExampleGradients(
                        layer,
                        cap.Layers[layer].Input.narrow(0, s, e - s),
                        cap.Layers[layer].Signals[0].narrow(0, s, e - s)
                    )
            );
        }
        var fallback = Ntk.FallbackParameters(plan, cap);
        if (fallback.Count > 0)
            Accumulate(fallback, (s, e) => cap.JacobianRows(s, e, fallback));
        return total;
    }

    private static Tensor SquaresByBlocks(
        IReadOnlyList<SelectedParameter> parameters,
        long n,
        NtkOptions options,
        Func<long, long, Tensor> rows
    )
    {
        long width = parameters.Sum(q => q.Size);
        long block = Math.Max(1, options.BlockElements / Math.Max(1, width));
        var total = zeros(width, dtype: parameters[0].Tensor.dtype, device: parameters[0].Tensor.device);
        for (long s = 0; s < n; s += block)
        {
            using var inner = NewDisposeScope();
            total.AddInPlace(rows(s, Math.Min(n, s + block)).Squared().sum(0L));
        }
        return total;
    }

    private static void Split(
        Tensor flat,
        IReadOnlyList<SelectedParameter> parameters,
        Dictionary<SelectedParameter, Tensor> into
    )
    {
        long offset = 0;
        foreach (var q in parameters)
        {
            into[q] = flat.narrow(0, offset, q.Size);
            offset += q.Size;
        }
    }
}
