using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// Matrix-free eNTK products (THEORY §2, "Sizes"): <c>K_AB v = J_A (M (J_Bᵀ v))</c>. The vector–Jacobian product
/// J_Bᵀ v is one backward pass; the Jacobian–vector product J_A w uses the double-backward trick: with a dummy u,
/// g(u) = J_Aᵀ u is linear in u, so J_A w = ∂(g(u)·w)/∂u. The graphs are built once and reused for every
/// product. Memory: O(P + n·p), never the (n·p)² kernel.
/// </summary>
public sealed class NtkVectorProducts : IDisposable
{
    private readonly List<Tensor> _parameters;
    private readonly Tensor _outputsB;
    private readonly Tensor _dummy;
    private readonly IList<Tensor> _transposeA;
    private readonly Tensor? _preconditioner;
    private readonly long _p;

    /// <summary>Builds the operator K_AB for inputs <paramref name="xA"/> (rows) and <paramref name="xB"/>
    /// (columns).</summary>
    public NtkVectorProducts(nn.Module<Tensor, Tensor> model, Tensor xA, Tensor xB, NtkOptions? options = null)
    {
        options ??= new NtkOptions();
        var plan = ModelPlan.Build(model, options.Parameters, useRules: false, MissingRule.Fallback);
        if (options.Preconditioner is { } m0 && (m0.dim() != 1 || m0.shape[0] != plan.Count))
            throw new ArgumentException(
                $"the preconditioner must be a vector of length {plan.Count} (the selected parameters)"
            );
        Traced = options.Traced;
        using var scope = NewDisposeScope();
        {
            _parameters = plan.Parameters.Select(q => q.Tensor).ToList();
            _preconditioner = options.Preconditioner;
            var outputsA = model.call(xA).reshape(xA.shape[0], -1);
            _outputsB = ReferenceEquals(xA, xB) ? outputsA : model.call(xB).reshape(xB.shape[0], -1);
            _p = outputsA.shape[1];
            RowsA = outputsA.shape[0];
            RowsB = _outputsB.shape[0];
            _dummy = zeros_like(outputsA).requires_grad_(true);
            _transposeA = autograd.grad(
                new[] { outputsA },
                _parameters,
                new[] { _dummy },
                retain_graph: true,
                create_graph: true,
                allow_unused: true
            );
            for (int k = 0; k < _transposeA.Count; k++)
                if (_transposeA[k] is null || _transposeA[k].IsInvalid)
                    _transposeA[k] = zeros_like(_parameters[k]);
        }
        // Kept beyond the scope (the graphs hang off these), disposed with the operator.
        _outputsB.DetachFromDisposeScope();
        _dummy.DetachFromDisposeScope();
        foreach (var t in _transposeA)
            t.DetachFromDisposeScope();
    }

    /// <summary>Whether products are with the output-traced kernel.</summary>
    public bool Traced { get; }

    /// <summary>Samples in the row set A.</summary>
    public long RowsA { get; }

    /// <summary>Samples in the column set B.</summary>
    public long RowsB { get; }

    /// <summary>Dimension of the result: n_A·p (full) or n_A (traced).</summary>
    public long OutputDimension => Traced ? RowsA : RowsA * _p;

    /// <summary>Dimension of the argument: n_B·p (full) or n_B (traced).</summary>
    public long InputDimension => Traced ? RowsB : RowsB * _p;

    /// <summary>
    /// K_AB v. Full: v has n_B·p entries (sample-major). Traced: (K_tr v)_i = Σ_c Σ_j K[(i,c),(j,c)] v_j, one
    /// product per output channel.
    /// </summary>
    public Tensor Apply(Tensor v)
    {
        using var scope = NewDisposeScope();
        Tensor result;
        if (!Traced)
            result = ApplyFull(v.reshape(RowsB, _p)).reshape(-1);
        else
        {
            result = zeros(RowsA, dtype: v.dtype, device: v.device);
            for (long c = 0; c < _p; c++)
            {
                var vc = zeros(new[] { RowsB, _p }, dtype: v.dtype, device: v.device);
                vc[TensorIndex.Colon, c] = v;
                result = result + ApplyFull(vc)[TensorIndex.Colon, c];
            }
        }
        return result.detach().MoveToOuterDisposeScope();
    }

    private Tensor ApplyFull(Tensor v)
    {
        var vjp = autograd.grad(
            new[] { _outputsB },
            _parameters,
            new[] { v.to_type(_outputsB.dtype) },
            retain_graph: true,
            allow_unused: true
        );
        var w = _parameters.Select((q, k) => vjp[k] is { } g && !g.IsInvalid ? g : zeros_like(q)).ToList();
        if (_preconditioner is not null)
        {
            long offset = 0;
            for (int k = 0; k < w.Count; k++)
            {
                long size = w[k].numel();
                w[k] = w[k] * _preconditioner.narrow(0, offset, size).reshape(w[k].shape);
                offset += size;
            }
        }
        var jvp = autograd.grad(_transposeA, new[] { _dummy }, w, retain_graph: true, allow_unused: true)[0];
        return jvp is null || jvp.IsInvalid ? zeros(new[] { RowsA, _p }, dtype: v.dtype, device: v.device) : jvp;
    }

    /// <summary>Dense K_AB assembled one column at a time (n_B·p or n_B products): for checks and small
    /// problems.</summary>
    public static Tensor Dense(nn.Module<Tensor, Tensor> model, Tensor xA, Tensor xB, NtkOptions? options = null)
    {
        using var op = new NtkVectorProducts(model, xA, xB, options);
        var dtype = op._outputsB.dtype;
        var k = zeros(new[] { op.OutputDimension, op.InputDimension }, dtype: dtype);
        for (long j = 0; j < op.InputDimension; j++)
        {
            options?.Cancel.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var e = zeros(op.InputDimension, dtype: dtype);
            e[j] = 1;
            k[TensorIndex.Colon, j] = op.Apply(e);
        }
        return k;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _outputsB.Dispose();
        _dummy.Dispose();
        foreach (var t in _transposeA)
            t.Dispose();
    }
}
