using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// U = f(X; w) without gradients, <see cref="BlockRows"/> inputs at a time, so that the activations held are one
/// block's: a convolutional network's first layer on 60,000 images at once is gigabytes. Exact for models that act
/// per sample (every model Tangent trains or loads: TorchScript models are loaded in eval mode).
/// </summary>
public static class ModelOutputs
{
    /// <summary>Inputs per block.</summary>
    public const int BlockRows = 4096;

    /// <summary>f(<paramref name="x"/>) [n, …], evaluated <paramref name="rows"/> inputs at a time.</summary>
    public static Tensor Of(nn.Module<Tensor, Tensor> model, Tensor x, int rows = BlockRows)
    {
        if (rows < 1)
            throw new ArgumentOutOfRangeException(nameof(rows), "a block needs at least one row");
        using var _ = no_grad();
        if (x.shape[0] <= rows)
            return model.call(x);
        using var scope = NewDisposeScope();
        var blocks = new List<Tensor>();
        foreach (var block in x.split(rows, 0))
        {
            // One scope per block: a layer's temporaries land in the innermost scope, so without it every block's
            // activations would stay alive until the last one.
            using var inner = NewDisposeScope();
            blocks.Add(model.call(block).MoveToOuterDisposeScope());
        }
        return cat(blocks, 0).MoveToOuterDisposeScope();
    }
}
