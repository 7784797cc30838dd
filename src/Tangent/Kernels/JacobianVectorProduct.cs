using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>
/// The output image J(x)·u of a parameter-space direction u (THEORY §2, "Momentum": h = J M m), by the
/// double-backward trick: g(z) = Jᵀz is linear in a dummy z, so J u = ∂(g(z)·u)/∂z. One forward and two backward
/// passes; never a Jacobian.
/// </summary>
public static class JacobianVectorProduct
{
    /// <summary>
    /// J(x)·u as [n, p] for <paramref name="direction"/> u flattened over <paramref name="model"/>'s parameters in
    /// their <c>parameters()</c> order (the optimizer's layout).
    /// </summary>
    public static Tensor Apply(nn.Module<Tensor, Tensor> model, Tensor x, Tensor direction) =>
        Apply(model, x, direction, (int)Math.Min(int.MaxValue, Math.Max(1, x.shape[0])));

    /// <summary>J(x)·u as above, <paramref name="rows"/> inputs at a time (the activations of one block
    /// held).</summary>
    public static Tensor Apply(nn.Module<Tensor, Tensor> model, Tensor x, Tensor direction, int rows)
    {
        if (rows < 1)
            throw new ArgumentOutOfRangeException(nameof(rows), "a block needs at least one row");
        if (x.shape[0] <= rows)
            return ApplyBlock(model, x, direction);
        using var scope = NewDisposeScope();
        var blocks = x.split(rows, 0).Select(b => ApplyBlock(model, b, direction)).ToList();
        return cat(blocks, 0).MoveToOuterDisposeScope();
    }

    private static Tensor ApplyBlock(nn.Module<Tensor, Tensor> model, Tensor x, Tensor direction)
    {
        var parameters = model.parameters().Select(q => (Tensor)q).ToList();
        long total = parameters.Sum(q => q.numel());
        if (direction.dim() != 1 || direction.shape[0] != total)
            throw new ArgumentException($"the direction must be a vector of length {total} (the model's parameters)");
        using var scope = NewDisposeScope();
        var outputs = model.call(x).reshape(x.shape[0], -1);
        var dummy = zeros_like(outputs).requires_grad_(true);
        var transpose = autograd.grad(
            new[] { outputs },
            parameters,
            new[] { dummy },
            retain_graph: true,
            create_graph: true,
            allow_unused: true
        );
        var used = new List<Tensor>();
        var pieces = new List<Tensor>();
        long offset = 0;
        for (int k = 0; k < parameters.Count; k++)
        {
            long size = parameters[k].numel();
            if (transpose[k] is { } t && !t.IsInvalid && t.requires_grad)
            {
                used.Add(t);
                pieces.Add(direction.narrow(0, offset, size).reshape(parameters[k].shape).to_type(t.dtype));
            }
            offset += size;
        }
        if (used.Count == 0)
            return zeros_like(outputs).detach().MoveToOuterDisposeScope();
        var jvp = autograd.grad(used, new[] { dummy }, pieces, allow_unused: true)[0];
        var result = jvp is null || jvp.IsInvalid ? zeros_like(outputs) : jvp;
        return result.detach().MoveToOuterDisposeScope();
    }
}
