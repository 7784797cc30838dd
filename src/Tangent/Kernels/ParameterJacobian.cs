using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// Rows of the Jacobian ∂r/∂w of any differentiable tensor r(w) of a model's parameters, one vector–Jacobian
/// product per row: J[i, :] = ∂r_{rows[i]}/∂w, flattened over the parameters in order. The eNTK's Jacobian method
/// uses it on the network's outputs; the PINN study on residuals built from derivatives with respect to the
/// inputs, which the layer rules cannot see.
/// </summary>
public static class ParameterJacobian
{
    /// <summary>J[rows, P] of the entries <paramref name="rows"/> of <paramref name="r"/> (flattened), whose graph
    /// must still be alive; the result has the dtype of the first parameter.</summary>
    public static Tensor Rows(Tensor r, IReadOnlyList<Tensor> parameters, IReadOnlyList<long> rows)
    {
        using var scope = NewDisposeScope();
        var flat = r.reshape(-1);
        var ps = parameters.ToList();
        var first = ps[0];
        var result = zeros(
            new[] { (long)rows.Count, ps.Sum(p => p.numel()) },
            dtype: first.dtype,
            device: first.device
        );
        for (int i = 0; i < rows.Count; i++)
        {
            using var rowScope = NewDisposeScope();
            var grads = autograd.grad([flat[rows[i]]], ps, retain_graph: true, allow_unused: true);
            long offset = 0;
            for (int k = 0; k < ps.Count; k++)
            {
                long size = ps[k].numel();
                if (grads[k] is { } g && !g.IsInvalid)
                    result[i, TensorIndex.Slice(offset, offset + size)].copy_(g.reshape(-1));
                offset += size;
            }
        }
        return result.MoveToOuterDisposeScope();
    }
}
