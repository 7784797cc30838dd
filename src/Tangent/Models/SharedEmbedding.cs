using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// A token embedding shared by every position: the input is T one-hot blocks of a vocabulary of V ([n, T·V]), the
/// output the concatenated embeddings [n, T·e] = (x reshaped [n, T, V]) · E with one table E [V, e], E ~ N(0, 1). It
/// is a bias-free <see cref="ScaledLinear"/> applied at every position, so the eNTK engine's Linear rule covers it
/// (summing over position pairs) and soft inputs work too.
/// </summary>
public sealed class SharedEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly ScaledLinear lookup;
    private readonly long tokens;

    /// <summary>A table of <paramref name="vocabulary"/> × <paramref name="dimension"/> drawn from
    /// <paramref name="generator"/>, for <paramref name="tokens"/> positions.</summary>
    public SharedEmbedding(long vocabulary, long dimension, long tokens, Generator generator)
        : base(nameof(SharedEmbedding))
    {
        this.tokens = tokens;
        lookup = new ScaledLinear(vocabulary, dimension, hasBias: false, weightScale: 1.0, biasScale: 0.0);
        lookup.Initialize(1.0, 0.0, generator);
        RegisterComponents();
    }

    /// <summary>E [V, e] (a view of the lookup's weight, transposed).</summary>
    public Tensor Table => lookup.Weight.T;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        long n = x.shape[0];
        using var blocks = x.reshape(n, tokens, -1);
        using var embedded = lookup.call(blocks);
        return embedded.reshape(n, -1);
    }
}
