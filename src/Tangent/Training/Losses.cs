using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>The training losses Φ_S(U) of THEORY §1 (means over samples) and their output-space
/// derivatives.</summary>
public static class Losses
{
    /// <summary>Φ(U) for outputs [n, p] and targets [n, p] (one-hot rows for cross-entropy).</summary>
    public static Tensor Loss(LossKind kind, Tensor outputs, Tensor targets) =>
        kind switch
        {
            LossKind.HalfMse => HalfMse.Loss(outputs, targets),
            _ => nn.functional.cross_entropy(outputs, targets.argmax(1)),
        };

    /// <summary>Per-sample losses ℓ_i (Φ = mean ℓ_i): ½‖u_i − y_i‖² or −log softmax(u_i)[y_i].</summary>
    public static Tensor PerSample(LossKind kind, Tensor outputs, Tensor targets) =>
        kind switch
        {
            LossKind.HalfMse => (outputs - targets).Squared().sum(1).Times(0.5),
            _ => nn.functional.cross_entropy(outputs, targets.argmax(1), reduction: nn.Reduction.None),
        };

    /// <summary>Output gradient g = ∇_U Φ, [n, p]: (U − Y)/n or (softmax(U) − Y)/n.</summary>
    public static Tensor OutputGradient(LossKind kind, Tensor outputs, Tensor targets)
    {
        long n = outputs.shape[0];
        return kind == LossKind.HalfMse ? (outputs - targets).Over(n) : (outputs.softmax(1) - targets).Over(n);
    }

    /// <summary>
    /// Output Hessian B = ∇²_U Φ, [(n·p), (n·p)] sample-major: I/n for ½-MSE, block-diagonal (diag π_i − π_i
    /// π_iᵀ)/n for cross-entropy.
    /// </summary>
    public static Tensor OutputHessian(LossKind kind, Tensor outputs)
    {
        long n = outputs.shape[0],
            p = outputs.shape[1];
        if (kind == LossKind.HalfMse)
            return eye(n * p, dtype: outputs.dtype).Over(n);
        using var scope = NewDisposeScope();
        var pi = outputs.softmax(1);
        var blocks = diag_embed(pi) - pi.unsqueeze(2) * pi.unsqueeze(1); // [n, p, p]
        return block_diag(blocks.unbind(0).ToArray()).Over(n).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean squared error (regression) or accuracy (classification, whatever the loss: argmax agreement, or sign
    /// agreement for one ±1 output) of outputs against targets.
    /// </summary>
    public static double Metric(bool classification, Tensor outputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        if (!classification)
            return (outputs - targets).Squared().mean().AsDouble();
        var agree = outputs.shape[1] == 1 ? outputs.sign().eq(targets.sign()) : outputs.argmax(1).eq(targets.argmax(1));
        return agree.to_type(ScalarType.Float64).mean().AsDouble();
    }
}
