using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// Empirical neural tangent kernels of any TorchSharp <c>Module&lt;Tensor, Tensor&gt;</c> (THEORY §1): <c>K_SS = J_S M
/// J_Sᵀ</c>, <c>K_QS = J_Q M J_Sᵀ</c> with J = ∂U/∂w over the selected parameters, outputs stacked sample-major
/// (row i·p + c), optionally traced over outputs (n×n) and preconditioned by a diagonal M. Inputs are [n, …]; the
/// model maps them to [n, p] (or [n, …] flattened to p per sample).
/// </summary>
public static class Ntk
{
    /// <summary>K_SS and, when <paramref name="xQ"/> is given, K_QS.</summary>
    public static NtkKernels Compute(
        nn.Module<Tensor, Tensor> model,
        Tensor xS,
        Tensor? xQ = null,
        NtkOptions? options = null
    )
    {
        options ??= new NtkOptions();
        if (options.Method == NtkMethod.NtkVectorProducts)
        {
            var kss = NtkVectorProducts.Dense(model, xS, xS, options);
            return new NtkKernels(kss, xQ is null ? null : NtkVectorProducts.Dense(model, xQ, xS, options));
        }
        var plan = Plan(model, options);
        using var s = ForwardCapture.Run(model, xS, Ruled(plan));
        var kSS = Contract(plan, s, s, options);
        if (xQ is null)
            return new NtkKernels(kSS, null);
        using var q = ForwardCapture.Run(model, xQ, Ruled(plan));
        return new NtkKernels(kSS, Contract(plan, q, s, options));
    }

    /// <summary>K_AB = J_A M J_Bᵀ between two input sets (full: [n_A·p, n_B·p]; traced: [n_A, n_B]).</summary>
    public static Tensor Cross(nn.Module<Tensor, Tensor> model, Tensor xA, Tensor xB, NtkOptions? options = null)
    {
        options ??= new NtkOptions();
        if (options.Method == NtkMethod.NtkVectorProducts)
            return NtkVectorProducts.Dense(model, xA, xB, options);
        var plan = Plan(model, options);
        using var a = ForwardCapture.Run(model, xA, Ruled(plan));
        if (ReferenceEquals(xA, xB))
            return Contract(plan, a, a, options);
        using var b = ForwardCapture.Run(model, xB, Ruled(plan));
        return Contract(plan, a, b, options);
    }

    /// <summary>The diagonal of K_SS: ‖J_r‖²_M per row (full: n·p) or Σ_c per sample (traced: n).</summary>
    public static Tensor Diagonal(nn.Module<Tensor, Tensor> model, Tensor x, NtkOptions? options = null)
    {
        options ??= new NtkOptions();
        var plan = Plan(
            model,
            options with
            {
                Method = options.Method == NtkMethod.NtkVectorProducts ? NtkMethod.JacobianContraction : options.Method,
            }
        );
        using var cap = ForwardCapture.Run(model, x, Ruled(plan));
        return DiagonalOf(plan, cap, options);
    }

    /// <summary>Number of parameters the kernel covers (length of a preconditioner).</summary>
    public static long ParameterCount(nn.Module<Tensor, Tensor> model, NtkOptions? options = null) =>
        ModelPlan.Build(model, options?.Parameters, useRules: false, MissingRule.Fallback).Count;

    /// <summary>Names of the layers LayerwiseRules handles with a rule, and of those that fall back, for
    /// reporting.</summary>
    public static (IReadOnlyList<string> Ruled, IReadOnlyList<string> Fallback) Coverage(
        nn.Module<Tensor, Tensor> model,
        NtkOptions? options = null
    )
    {
        var plan = ModelPlan.Build(model, options?.Parameters, useRules: true, MissingRule.Fallback);
        return (
            plan.Layers.Where(l => l.Rule is not null).Select(Describe).ToList(),
            plan.Layers.Where(l => l.Rule is null).Select(Describe).ToList()
        );
        static string Describe(LayerPlan l) => $"{(l.Name == "" ? "(root)" : l.Name)} ({l.Module.GetType().Name})";
    }

    /// <summary>
    /// The layer rules' forward capture of <paramref name="x"/> (inputs and output signals of every ruled layer), to
    /// contract against several other captures without recomputing it (<see cref="CrossOf"/>): Nyström's landmarks
    /// against each block of rows. Layer rules only.
    /// </summary>
    internal static (ModelPlan Plan, ForwardCapture Capture) Capture(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        NtkOptions options
    )
    {
        if (options.Method != NtkMethod.LayerwiseRules)
            throw new ArgumentException("captures are reused with the layer rules only");
        var plan = Plan(model, options);
        return (plan, ForwardCapture.Run(model, x, Ruled(plan)));
    }

    /// <summary>K_AB between two captures of <see cref="Capture"/> (the same plan).</summary>
    internal static Tensor CrossOf(ModelPlan plan, ForwardCapture a, ForwardCapture b, NtkOptions options) =>
        Contract(plan, a, b, options);

    /// <summary>
    /// diag K_AA of a capture, never a kernel block: per ruled layer its structured diagonal (O(n·p·width), no
    /// preconditioner) where the rule has one, otherwise Σ_k M_k G_(i,c)k² from per-example gradients (autograd
    /// Jacobian rows for parameters no rule covers) in sample blocks; rows i·p + c, or summed over c when traced.
    /// </summary>
    internal static Tensor DiagonalOf(ModelPlan plan, ForwardCapture cap, NtkOptions options)
    {
        using var scope = NewDisposeScope();
        long n = cap.Samples,
            p = cap.OutputsPerSample;
        var diag = zeros(n * p, dtype: cap.Outputs.dtype, device: cap.Outputs.device);
        Tensor? structured = null; // [n] traced, [n·p] full
        var viaGradients = new List<(IReadOnlyList<SelectedParameter>, Func<long, long, Tensor>)>();
        foreach (var layer in plan.Layers.Where(l => l.Rule is not null && cap.Layers.ContainsKey(l)))
        {
            var part = options.Preconditioner is null
                ? layer.Rule!.StructuredDiagonal(layer, cap.Layers[layer], options.Traced)
                : null;
            if (part is null)
                viaGradients.Add((layer.Parameters, RuleGradients(layer, cap)));
            else
                structured = structured is null ? part : structured.AddInPlace(part);
        }
        var fallback = FallbackParameters(plan, cap);
        if (fallback.Count > 0)
            viaGradients.Add((fallback, (s, e) => cap.JacobianRows(s, e, fallback)));
        foreach (var (parameters, producer) in viaGradients)
        {
            var m = ModelPlan.Slice(options.Preconditioner, parameters);
            long block = BlockSamples(options, p, parameters.Sum(q => q.Size));
            for (long i = 0; i < n; i += block)
            {
                using var inner = NewDisposeScope();
                long end = Math.Min(n, i + block);
                var g = producer(i, end).Squared();
                diag[TensorIndex.Slice(i * p, end * p)].AddInPlace((m is null ? g : g * m).sum(1));
            }
        }
        var result = options.Traced ? diag.reshape(n, p).sum(1) : diag;
        if (structured is not null)
            result.AddInPlace(structured);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>The plan of <paramref name="options"/>' selection, with the preconditioner checked against
    /// it.</summary>
    internal static ModelPlan Plan(nn.Module model, NtkOptions options)
    {
        var plan = ModelPlan.Build(
            model,
            options.Parameters,
            options.Method == NtkMethod.LayerwiseRules,
            options.MissingRule
        );
        if (options.Preconditioner is { } m && (m.dim() != 1 || m.shape[0] != plan.Count))
            throw new ArgumentException(
                $"the preconditioner has shape [{string.Join(", ", m.shape)}]; it must be a vector of length "
                    + $"{plan.Count} (the selected parameters)"
            );
        return plan;
    }

    private static IReadOnlyList<LayerPlan> Ruled(ModelPlan plan) =>
        plan.Layers.Where(l => l.Rule is not null).ToList();

    /// <summary>K between two captures: structured rules where possible, per-example gradients otherwise, autograd for
    /// the rest.</summary>
    private static Tensor Contract(ModelPlan plan, ForwardCapture a, ForwardCapture b, NtkOptions options)
    {
        using var scope = NewDisposeScope();
        long p = a.OutputsPerSample;
        if (b.OutputsPerSample != p)
            throw new ArgumentException($"the two input sets give {p} and {b.OutputsPerSample} outputs per sample");
        long rows = options.Traced ? a.Samples : a.Samples * p,
            cols = options.Traced ? b.Samples : b.Samples * p;
        Tensor? k = null; // the first structured term becomes the accumulator: no zero fill, one add fewer
        var viaGradients =
            new List<(IReadOnlyList<SelectedParameter>, Func<long, long, Tensor>, Func<long, long, Tensor>)>();
        foreach (var layer in plan.Layers.Where(l => l.Rule is not null && a.Layers.ContainsKey(l)))
        {
            options.Cancel.ThrowIfCancellationRequested();
            Tensor? structured = options.Preconditioner is null
                ? layer.Rule!.StructuredKernel(layer, a.Layers[layer], b.Layers[layer], options.Traced)
                : null;
            if (structured is null)
                viaGradients.Add((layer.Parameters, RuleGradients(layer, a), RuleGradients(layer, b)));
            else if (k is null)
                k = structured;
            else
            {
                k.AddInPlace(structured);
                structured.Dispose();
            }
        }
        k ??= zeros(new[] { rows, cols }, dtype: a.Outputs.dtype, device: a.Outputs.device);
        var fallback = FallbackParameters(plan, a);
        if (fallback.Count > 0)
            viaGradients.Add(
                (fallback, (s, e) => a.JacobianRows(s, e, fallback), (s, e) => b.JacobianRows(s, e, fallback))
            );

        foreach (var (parameters, ga, gb) in viaGradients)
            AddGradientGram(k, parameters, ga, gb, a.Samples, b.Samples, p, options);
        return k.MoveToOuterDisposeScope();
    }

    /// <summary>k += G_A M G_Bᵀ over sample blocks (traced: summed over outputs within each sample pair).</summary>
    private static void AddGradientGram(
        Tensor k,
        IReadOnlyList<SelectedParameter> parameters,
        Func<long, long, Tensor> ga,
        Func<long, long, Tensor> gb,
        long na,
        long nb,
        long p,
        NtkOptions options
    )
    {
        long width = parameters.Sum(q => q.Size);
        long block = BlockSamples(options, p, width);
        var m = ModelPlan.Slice(options.Preconditioner, parameters);
        bool cacheB = nb * p * width <= options.BlockElements;
        Tensor? cachedB = cacheB ? gb(0, nb) : null;
        for (long i = 0; i < na; i += block)
        {
            using var outer = NewDisposeScope();
            long iEnd = Math.Min(na, i + block);
            var gA = ga(i, iEnd);
            if (m is not null)
                gA = gA * m;
            for (long j = 0; j < nb; j += block)
            {
                options.Cancel.ThrowIfCancellationRequested();
                using var inner = NewDisposeScope();
                long jEnd = Math.Min(nb, j + block);
                var gB = cachedB is not null ? cachedB.narrow(0, j * p, (jEnd - j) * p) : gb(j, jEnd);
                if (options.Traced)
                {
                    var part = gA.reshape(iEnd - i, -1).matmul(gB.reshape(jEnd - j, -1).T);
                    k[TensorIndex.Slice(i, iEnd), TensorIndex.Slice(j, jEnd)].AddInPlace(part);
                }
                else
                {
                    k[TensorIndex.Slice(i * p, iEnd * p), TensorIndex.Slice(j * p, jEnd * p)]
                        .AddInPlace(gA.matmul(gB.T));
                }
            }
        }
        cachedB?.Dispose();
    }

    /// <summary>Per-example gradients of a ruled layer for samples [start, end), rows i·p + c. Those of the whole
    /// capture are computed once and kept with it (<see cref="ForwardCapture.CachedGradients"/>): Nyström contracts
    /// the landmarks' capture against every block of rows, and a block's cross and diagonal share its own.</summary>
    private static Func<long, long, Tensor> RuleGradients(LayerPlan layer, ForwardCapture cap) =>
        (start, end) =>
        {
            bool whole = start == 0 && end == cap.Samples;
            if (whole && cap.CachedGradients(layer) is { } cached)
                return cached.alias();
            var c = cap.Layers[layer];
            long p = c.Signals.shape[0];
            var signals = c.Signals.narrow(1, start, end - start).transpose(0, 1); // [b, p, …out]
            signals = signals.reshape(new[] { (end - start) * p }.Concat(c.Signals.shape.Skip(2)).ToArray());
            var inputs = c.Input.narrow(0, start, end - start);
            if (!layer.Rule!.BroadcastsInputs)
                inputs = inputs.repeat_interleave(p, 0); // rows aligned with signals
            var g = layer.Rule.PerExampleGradients(layer, inputs, signals);
            if (whole)
                cap.KeepGradients(layer, g);
            return g;
        };

    /// <summary>Selected parameters no rule covered in <paramref name="cap"/>, in flattened order: they take the
    /// autograd Jacobian rows.</summary>
    internal static List<SelectedParameter> FallbackParameters(ModelPlan plan, ForwardCapture cap) =>
        plan
            .Layers.Where(l => l.Rule is null || !cap.Layers.ContainsKey(l))
            .SelectMany(l => l.Parameters)
            .OrderBy(q => q.Offset)
            .ToList();

    private static long BlockSamples(NtkOptions options, long p, long width) =>
        Math.Max(1, options.BlockElements / Math.Max(1, p * width));
}
