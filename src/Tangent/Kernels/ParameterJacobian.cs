using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// Rows of the Jacobian ∂r/∂w of any differentiable vector function r(w) of a model's parameters, one
/// vector–Jacobian product per row: J[i, :] = ∂rᵢ/∂w, flattened over the parameters in order. For functions the
/// layer rules cannot see, such as residuals built from derivatives with respect to the inputs.
/// </summary>
public static class ParameterJacobian
{
    /// <summary>J[rows, P] of <paramref name="function"/>'s output at the rows <paramref name="rows"/>.</summary>
    public static Tensor Rows(Func<Tensor> function, IReadOnlyList<Tensor> parameters, IReadOnlyList<long> rows)
    {
        using var scope = NewDisposeScope();
        var r = function().reshape(-1);
        var result = zeros(rows.Count, parameters.Sum(p => p.numel()), dtype: ScalarType.Float64);
        for (int i = 0; i < rows.Count; i++)
        {
            using var rowScope = NewDisposeScope();
            var grads = autograd.grad([r[rows[i]]], parameters.ToList(), retain_graph: true, allow_unused: true);
            long offset = 0;
            for (int k = 0; k < parameters.Count; k++)
            {
                long size = parameters[k].numel();
                if (grads[k] is { } g && !g.IsInvalid)
                    result[i, TensorIndex.Slice(offset, offset + size)] = g.reshape(-1).to_type(ScalarType.Float64);
                offset += size;
            }
        }
        return result.MoveToOuterDisposeScope();
    }
}
