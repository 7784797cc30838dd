using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// One pre-LayerNorm transformer block on [n, T, d]: h ← h + W_o softmax(QKᵀ/√(d/H) + causal mask) V per
/// head, with Q, K, V = W_{q,k,v} LN₁(h); then h ← h + W_down ReLU(W_up LN₂(h)) (width 4d).
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
    private readonly LayerNorm norm1,
        norm2;
    private readonly Linear query,
        key,
        value,
        @out,
        up,
        down;
    private readonly int _heads;

    /// <summary>A block of width <paramref name="d"/> with <paramref name="heads"/> heads (d divisible by
    /// heads).</summary>
    public TransformerBlock(int d, int heads)
        : base(nameof(TransformerBlock))
    {
        _heads = heads;
        norm1 = nn.LayerNorm(d, dtype: ScalarType.Float64);
        query = nn.Linear(d, d, dtype: ScalarType.Float64);
        key = nn.Linear(d, d, dtype: ScalarType.Float64);
        value = nn.Linear(d, d, dtype: ScalarType.Float64);
        @out = nn.Linear(d, d, dtype: ScalarType.Float64);
        norm2 = nn.LayerNorm(d, dtype: ScalarType.Float64);
        up = nn.Linear(d, 4 * d, dtype: ScalarType.Float64);
        down = nn.Linear(4 * d, d, dtype: ScalarType.Float64);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor h)
    {
        long n = h.shape[0],
            t = h.shape[1],
            d = h.shape[2],
            dh = d / _heads;
        var a = norm1.call(h);
        Tensor Split(Tensor z) => z.reshape(n, t, _heads, dh).transpose(1, 2);
        var q = Split(query.call(a));
        var k = Split(key.call(a));
        var v = Split(value.call(a));
        var scores = q.matmul(k.transpose(2, 3)).Over(Math.Sqrt(dh));
        var future = ones(t, t, dtype: ScalarType.Bool).triu(1);
        var attention = scores.MaskedFill(future, double.NegativeInfinity).softmax(-1);
        var mixed = attention.matmul(v).transpose(1, 2).reshape(n, t, d);
        h = h.Plus(@out.call(mixed));
        return h.Plus(down.call(nn.functional.relu(up.call(norm2.call(h)))));
    }
}
