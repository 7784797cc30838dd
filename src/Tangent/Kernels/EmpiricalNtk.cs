using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// The reference eNTK by Jacobian contraction (THEORY §1), kept as the simplest entry point: J = ∂U/∂w one row at
/// a time by reverse-mode autograd (rows sample-major, i·p + c), and K = J M Jᵀ. Equivalent to
/// <see cref="Ntk.Compute"/> with <see cref="NtkMethod.JacobianContraction"/>.
/// </summary>
public static class EmpiricalNtk
{
    /// <summary>
    /// J[i·p + c, k] = ∂f_c(x_i)/∂w_k over every trainable parameter (in <c>named_parameters()</c> order), an
    /// (n·p)×P tensor with the dtype of the parameters.
    /// </summary>
    public static Tensor Jacobian(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        var plan = ModelPlan.Build(model, null, useRules: false, MissingRule.Fallback);
        using var capture = ForwardCapture.Run(model, x, []);
        return capture.JacobianRows(0, capture.Samples, plan.Parameters).detach().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// K_SS = J_S M J_Sᵀ ((n·p)×(n·p)) and, when <paramref name="xQ"/> is given, K_QS = J_Q M J_Sᵀ
    /// ((m·p)×(n·p)); <paramref name="preconditioner"/> is the diagonal of M (length P), identity when null.
    /// </summary>
    public static (Tensor Kss, Tensor? Kqs) Compute(
        nn.Module<Tensor, Tensor> model,
        Tensor xS,
        Tensor? xQ = null,
        Tensor? preconditioner = null
    )
    {
        var k = Ntk.Compute(
            model,
            xS,
            xQ,
            new NtkOptions { Method = NtkMethod.JacobianContraction, Preconditioner = preconditioner }
        );
        return (k.Kss, k.Kqs);
    }
}
