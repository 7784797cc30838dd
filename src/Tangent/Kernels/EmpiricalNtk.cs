using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// Empirical neural tangent kernels by Jacobian contraction (THEORY §1), the reference method:
/// outputs are stacked sample-major (row i·p + c), J = ∂U/∂w is formed one row at a time by
/// reverse-mode autograd, and K = J M Jᵀ with an optional diagonal preconditioner M.
/// Works for any module; cost is one backward pass per output row.
/// </summary>
public static class EmpiricalNtk
{
    /// <summary>
    /// J[i·p + c, k] = ∂f_c(x_i)/∂w_k over <paramref name="parameters"/> (all trainable ones by default),
    /// an (n·p)×P tensor with the dtype of the parameters.
    /// </summary>
    public static Tensor Jacobian(nn.Module<Tensor, Tensor> model, Tensor x, IReadOnlyList<Tensor>? parameters = null)
    {
        var ps = parameters ?? model.parameters().Where(p => p.requires_grad).Cast<Tensor>().ToList();
        using var outer = NewDisposeScope();
        var u = model.call(x).reshape(-1);
        long rows = u.shape[0];
        long width = ps.Sum(p => p.numel());
        var jacobian = zeros(new[] { rows, width }, dtype: ps[0].dtype, device: ps[0].device);
        for (long i = 0; i < rows; i++)
        {
            using var step = NewDisposeScope();
            var grads = autograd.grad(new[] { u[i] }, ps as IList<Tensor> ?? ps.ToList(), retain_graph: true, allow_unused: true);
            long col = 0;
            for (int k = 0; k < ps.Count; k++)
            {
                long size = ps[k].numel();
                if (grads[k] is { } g && !g.IsInvalid)
                    jacobian[i, TensorIndex.Slice(col, col + size)].copy_(g.reshape(-1));
                col += size;
            }
        }
        return jacobian.detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// K_SS = J_S M J_Sᵀ ((n·p)×(n·p)) and, when <paramref name="xQ"/> is given, K_QS = J_Q M J_Sᵀ ((m·p)×(n·p));
    /// <paramref name="preconditioner"/> is the diagonal of M (length P), identity when null.
    /// </summary>
    public static (Tensor Kss, Tensor? Kqs) Compute(nn.Module<Tensor, Tensor> model, Tensor xS, Tensor? xQ = null,
                                                    Tensor? preconditioner = null, IReadOnlyList<Tensor>? parameters = null)
    {
        using var scope = NewDisposeScope();
        var jS = Jacobian(model, xS, parameters);
        var jSm = preconditioner is null ? jS : jS * preconditioner;
        var kss = jSm.matmul(jS.T);
        Tensor? kqs = null;
        if (xQ is not null)
        {
            var jQ = Jacobian(model, xQ, parameters);
            kqs = jQ.matmul(jSm.T).MoveToOuterDisposeScope();
        }
        return (kss.MoveToOuterDisposeScope(), kqs);
    }
}
