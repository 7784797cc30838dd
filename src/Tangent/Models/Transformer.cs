using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// A decoder-only transformer on token sequences [n, T] (<c>model.type: transformer</c>; ids held as numbers and
/// cast to integers): token embedding plus learned position embedding, L pre-LayerNorm blocks
/// h ← h + Attn(LN(h)), h ← h + MLP(LN(h)) with H-head causal self-attention and a ReLU MLP of width 4d, a final
/// LayerNorm and a linear readout from the last position — the network of Power et al. 2022 for modular arithmetic
/// at widths [vocab, 128, p], layers 2, heads 4. Widths [V, d, p]: vocabulary, model width, outputs; T =
/// <c>tokens</c>. Attention is built from linear layers, so every parameter has an eNTK rule (Embedding, LayerNorm,
/// Linear with position dimensions). Weights W ~ N(0, σ_w²/fan_in), biases 0, embeddings N(0, 1), LayerNorm (1, 0).
/// State-dict keys <c>token.weight</c>, <c>position.weight</c>, <c>blocks.{l}.{norm1,query,key,value,out,norm2,up,
/// down}.*</c>, <c>norm.*</c>, <c>head.*</c>.
/// </summary>
public sealed class Transformer : nn.Module<Tensor, Tensor>
{
    private readonly Embedding token,
        position;
    private readonly ModuleList<TransformerBlock> blocks;
    private readonly LayerNorm norm;
    private readonly Linear head;
    private readonly double _outputScale;

    /// <summary>Builds and initializes the network from <paramref name="generator"/>.</summary>
    public Transformer(MlpConfig config, Generator generator, ScalarType dtype = ScalarType.Float64)
        : base(nameof(Transformer))
    {
        config.Validate();
        int vocab = config.Widths[0],
            d = config.Widths[1],
            p = config.Widths[2];
        token = nn.Embedding(vocab, d, dtype: ScalarType.Float64);
        position = nn.Embedding(config.Tokens, d, dtype: ScalarType.Float64);
        blocks = nn.ModuleList(
            Enumerable.Range(0, config.Layers).Select(_ => new TransformerBlock(d, config.Heads)).ToArray()
        );
        norm = nn.LayerNorm(d, dtype: ScalarType.Float64);
        head = nn.Linear(d, p, dtype: ScalarType.Float64);
        _outputScale = config.OutputScale;
        RegisterComponents();
        using (no_grad())
            foreach (var (name, parameter) in named_parameters())
            {
                if (name is "token.weight" or "position.weight")
                    parameter.normal_(0, 1, generator);
                else if (name.Contains("norm", StringComparison.Ordinal) && name.EndsWith(".weight"))
                    parameter.fill_(1);
                else if (name.EndsWith(".weight", StringComparison.Ordinal) && !name.Contains("norm"))
                    parameter.normal_(0, config.WeightStd / Math.Sqrt(parameter.shape[1]), generator);
                else
                    parameter.zero_();
            }
        if (dtype != ScalarType.Float64)
            this.to(dtype);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        var ids = x.to_type(ScalarType.Int64);
        long t = ids.shape[1];
        var positions = arange(t, dtype: ScalarType.Int64).unsqueeze(0).expand(ids.shape[0], t);
        var h = token.call(ids).Plus(position.call(positions));
        foreach (var block in blocks)
            h = block.call(h);
        var last = norm.call(h).select(1, t - 1);
        var output = head.call(last);
        return _outputScale == 1.0 ? output : output.Times(_outputScale);
    }
}
