using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// A token embedding shared by every position: the input is T one-hot blocks of a vocabulary of V ([n, T·V]), the output the
/// concatenated embeddings [n, T·e] = (x reshaped [n, T, V]) · E with one table E [V, e], E ~ N(0, 1). Linear in its input, so
/// soft inputs work too. The eNTK engine has no rule for it and differentiates it with the per-layer autograd fallback.
/// </summary>
public sealed class SharedEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Parameter table;
    private readonly long tokens;

    /// <summary>A table of <paramref name="vocabulary"/> × <paramref name="dimension"/> drawn from <paramref name="generator"/>, for <paramref name="tokens"/> positions.</summary>
    public SharedEmbedding(long vocabulary, long dimension, long tokens, Generator generator) : base(nameof(SharedEmbedding))
    {
        this.tokens = tokens;
        table = nn.Parameter(randn(new[] { vocabulary, dimension }, dtype: ScalarType.Float64, generator: generator));
        RegisterComponents();
    }

    /// <summary>E [V, e].</summary>
    public Parameter Table => table;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        long n = x.shape[0];
        using var blocks = x.reshape(n, tokens, -1);
        using var embedded = blocks.matmul(table);
        return embedded.reshape(n, -1);
    }
}
