using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Kernels.Layerwise;

/// <summary>
/// y = c_w·A Wᵀ + c_b·b (c_w = c_b = 1 for <c>Linear</c>; see <see cref="ScaledLinear"/>). For 2-D inputs the
/// per-example gradient of row r = (i, c) is δ_r ⊗ a_i, so <c>K[r, s] = (δ_r · δ_s)(c_w² a_i · a_j + c_b²
/// 1[bias])</c>: a Gram of signals times a Gram of inputs, never forming a per-example gradient. Inputs with extra
/// (position) dimensions sum over positions: ∂f/∂W = Σ_pos δ_pos ⊗ a_pos; a short sequence [n, T, in] has
/// structured forms over position pairs, anything else uses per-example gradients.
/// </summary>
internal sealed class LinearRule : ILayerRule
{
    public string? Unsupported(nn.Module module) => null;

    /// <summary>Inputs with one position dimension of at most this many positions take the structured path (T² Gram
    /// pairs).</summary>
    private const long MaxStructuredPositions = 16;

    public Tensor? StructuredKernel(LayerPlan layer, Captured a, Captured b, bool traced)
    {
        if (a.Input.dim() == 3 && a.Input.shape[1] <= MaxStructuredPositions)
            return PositionsKernel(layer, a, b, traced);
        if (a.Input.dim() != 2)
            return null;
        bool weight = layer.Get("weight") is not null,
            bias = layer.Get("bias") is not null;
        var (cw, cb) = Scales(layer.Module);
        using var scope = NewDisposeScope();
        Tensor inputs = weight
            ? a.Input.detach().matmul(b.Input.detach().T).Times(cw * cw)
            : zeros(1, dtype: a.Input.dtype, device: a.Input.device);
        if (bias)
            inputs = weight ? inputs.Plus(cb * cb) : full(1, cb * cb, dtype: a.Input.dtype, device: a.Input.device);
        var k = SignalGram(a.Signals, b.Signals, traced);
        MultiplyBySampleMatrix(k, inputs, traced ? 1 : a.Signals.shape[0]);
        return k.MoveToOuterDisposeScope();
    }

    /// <summary>K[(i,c),(i,c)] = ‖δ_ic‖² (c_w² ‖a_i‖² + c_b² 1[bias]) for 2-D inputs; traced: summed over
    /// c.</summary>
    public Tensor? StructuredDiagonal(LayerPlan layer, Captured a, bool traced)
    {
        if (a.Input.dim() != 2)
            return null;
        bool weight = layer.Get("weight") is not null,
            bias = layer.Get("bias") is not null;
        var (cw, cb) = Scales(layer.Module);
        using var scope = NewDisposeScope();
        var x = a.Input.detach();
        var inputs = weight ? x.Squared().sum(1).Times(cw * cw) : zeros(x.shape[0], dtype: x.dtype, device: x.device);
        if (bias)
            inputs = inputs.Plus(cb * cb);
        var signal = a.Signals.Squared().sum(2).T; // [n, p]: ‖δ_ic‖²
        var diagonal = signal * inputs.unsqueeze(1);
        return (traced ? diagonal.sum(1) : diagonal.reshape(-1)).MoveToOuterDisposeScope();
    }

    public Tensor PerExampleGradients(LayerPlan layer, Tensor input, Tensor signals)
    {
        using var scope = NewDisposeScope();
        long rows = input.shape[0];
        var a = input.detach().reshape(rows, -1, input.shape[^1]); // [R, L, in]
        var d = signals.reshape(rows, -1, signals.shape[^1]); // [R, L, out]
        var (cw, cb) = Scales(layer.Module);
        var parts = new List<Tensor>();
        foreach (var p in layer.Parameters)
            parts.Add(
                p.LocalName == "weight" ? d.transpose(1, 2).bmm(a).reshape(rows, -1).Times(cw) : d.sum(1).Times(cb)
            );
        return cat(parts, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Σ_i (δ_i ⊗ a_i)² = (δ²)ᵀ(a²) for the weight, Σ_i δ_i² for the bias: one matrix
    /// product.</summary>
    public Tensor? StructuredSumOfSquares(LayerPlan layer, Captured captured)
    {
        if (IsShortSequence(captured))
            return SequenceSumOfSquares(layer, captured);
        if (captured.Input.dim() != 2)
            return null;
        using var scope = NewDisposeScope();
        var (cw, cb) = Scales(layer.Module);
        var d2 = captured.Signals[0].Squared(); // [n, out]
        var a2 = captured.Input.detach().Squared(); // [n, in]
        var parts = layer
            .Parameters.Select(p =>
                p.LocalName == "weight" ? d2.T.matmul(a2).reshape(-1).Times(cw * cw) : d2.sum(0L).Times(cb * cb)
            )
            .ToList();
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Σ_{o,k} w_ok (δ_io a_ik)² = Σ_o δ_io² (a_i² · w_o) for the weight — one matrix product (a²) wᵀ —
    /// and Σ_o w_o δ_io² for the bias.
    /// </summary>
    public Tensor? StructuredWeightedSquaredNorms(LayerPlan layer, Captured captured, Tensor? weights)
    {
        if (IsShortSequence(captured))
            return SequenceWeightedSquaredNorms(layer, captured, weights);
        if (captured.Input.dim() != 2)
            return null;
        using var scope = NewDisposeScope();
        var (cw, cb) = Scales(layer.Module);
        var d2 = captured.Signals[0].Squared(); // [n, out]
        var a2 = captured.Input.detach().Squared(); // [n, in]
        long offset = 0;
        Tensor? total = null;
        foreach (var p in layer.Parameters)
        {
            var w = weights?.narrow(0, offset, p.Size);
            offset += p.Size;
            var part =
                p.LocalName == "weight"
                    ? (
                        w is null
                            ? d2.sum(1) * a2.sum(1)
                            : (d2 * a2.matmul(w.reshape(d2.shape[1], a2.shape[1]).T)).sum(1)
                    ).Times(cw * cw)
                    : (w is null ? d2.sum(1) : d2.matmul(w)).Times(cb * cb);
            total = total is null ? part : total.Plus(part);
        }
        return total!.MoveToOuterDisposeScope();
    }

    private static bool IsShortSequence(Captured captured) =>
        captured.Input.dim() == 3 && captured.Input.shape[1] <= PositionPairs.MaxPositions;

    /// <summary>
    /// Inputs [n, T, in]: G_i = Σ_t δ_it ⊗ a_it, so
    /// Σ_i G_i² = Σ_{t≤u} c_tu Σ_i (δ_it ⊙ δ_iu) ⊗ (a_it ⊙ a_iu) — one product of the n·T(T+1)/2
    /// pair rows (<see cref="PositionPairs"/>, in blocks of samples) — and
    /// Σ_i (Σ_t δ_it)² for the bias.
    /// </summary>
    private static Tensor SequenceSumOfSquares(LayerPlan layer, Captured captured)
    {
        using var scope = NewDisposeScope();
        var (cw, cb) = Scales(layer.Module);
        var d = captured.Signals[0]; // [n, T, out]
        var a = captured.Input.detach(); // [n, T, in]
        long outputs = d.shape[2],
            inputs = a.shape[2];
        using var pairs = new PositionPairs(a.shape[1], a.dtype, a.device);
        var weight = zeros(new[] { outputs, inputs }, dtype: d.dtype, device: d.device);
        foreach (var (start, length) in pairs.Blocks(d.shape[0], outputs + inputs))
        {
            using var block = NewDisposeScope();
            var signals = pairs.WeightedProducts(d.narrow(0, start, length)).reshape(-1, outputs);
            weight.AddInPlace(signals.T.matmul(pairs.Products(a.narrow(0, start, length)).reshape(-1, inputs)));
        }
        // The pairs' cross terms can be negative, so round-off may leave a vanishing entry just below 0.
        var parts = layer
            .Parameters.Select(p =>
                p.LocalName == "weight"
                    ? weight.reshape(-1).Times(cw * cw).AtLeast(0)
                    : d.sum(1).Squared().sum(0L).Times(cb * cb)
            )
            .ToList();
        return cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Inputs [n, T, in]: s_i = Σ_{t≤u} c_tu Σ_o (δ_it ⊙ δ_iu)_o ((a_it ⊙ a_iu) wᵀ)_o for the weight
    /// — one product of the pair rows with w — and Σ_o w_o (Σ_t δ_ito)² for the bias.
    /// </summary>
    private static Tensor SequenceWeightedSquaredNorms(LayerPlan layer, Captured captured, Tensor? weights)
    {
        using var scope = NewDisposeScope();
        var (cw, cb) = Scales(layer.Module);
        var d = captured.Signals[0]; // [n, T, out]
        var a = captured.Input.detach(); // [n, T, in]
        long outputs = d.shape[2],
            inputs = a.shape[2];
        using var pairs = new PositionPairs(a.shape[1], a.dtype, a.device);
        long offset = 0;
        Tensor? total = null;
        foreach (var p in layer.Parameters)
        {
            var w = weights?.narrow(0, offset, p.Size);
            offset += p.Size;
            Tensor part;
            if (p.LocalName == "weight")
            {
                var blocks = new List<Tensor>();
                foreach (var (start, length) in pairs.Blocks(d.shape[0], outputs + inputs))
                {
                    var signals = pairs.WeightedProducts(d.narrow(0, start, length)); // [b, P, out]
                    var products = pairs.Products(a.narrow(0, start, length)); // [b, P, in]
                    blocks.Add(
                        w is null
                            ? (signals.sum(2) * products.sum(2)).sum(1)
                            : (signals * products.matmul(w.reshape(outputs, inputs).T)).sum([1, 2])
                    );
                }
                part = cat(blocks, 0).Times(cw * cw).AtLeast(0); // round-off of the pairs' cross terms
            }
            else
            {
                var sums = d.sum(1).Squared(); // [n, out]
                part = (w is null ? sums.sum(1) : sums.matmul(w)).Times(cb * cb);
            }
            total = total is null ? part : total.Plus(part);
        }
        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Full: (Δ_a Δ_bᵀ) over rows i·p + c; traced: Σ_c Δ_a,c Δ_b,cᵀ, both as one matrix product.
    /// </summary>
    /// <summary>
    /// Inputs [n, T, d] (a layer shared by T positions, e.g. a token embedding): ∂f/∂W = Σ_t c_w δ_t ⊗ a_t, so
    /// K = Σ_{t,t′} (δ_t · δ′_{t′})(c_w² a_t · a′_{t′} + c_b² 1[bias]) — T² Grams of signals and
    /// inputs, no per-example gradient.
    /// </summary>
    private static Tensor PositionsKernel(LayerPlan layer, Captured a, Captured b, bool traced)
    {
        bool weight = layer.Get("weight") is not null,
            bias = layer.Get("bias") is not null;
        var (cw, cb) = Scales(layer.Module);
        using var scope = NewDisposeScope();
        long positions = a.Input.shape[1];
        Tensor? k = null;
        for (long t = 0; t < positions; t++)
        for (long u = 0; u < positions; u++)
        {
            var xa = a.Input.detach().select(1, t);
            var xb = b.Input.detach().select(1, u);
            Tensor inputs = weight ? xa.matmul(xb.T).Times(cw * cw) : zeros(1, dtype: xa.dtype, device: xa.device);
            if (bias)
                inputs = weight ? inputs.Plus(cb * cb) : full(1, cb * cb, dtype: xa.dtype, device: xa.device);
            var kt = SignalGram(a.Signals.select(2, t), b.Signals.select(2, u), traced);
            MultiplyBySampleMatrix(kt, inputs, traced ? 1 : a.Signals.shape[0]);
            k = k is null ? kt : k.AddInPlace(kt);
        }
        return k!.MoveToOuterDisposeScope();
    }

    internal static Tensor SignalGram(Tensor signalsA, Tensor signalsB, bool traced)
    {
        long p = signalsA.shape[0];
        if (traced)
        {
            // [p, n, out] → [n, p·out]: the sum over c becomes part of the contraction.
            var wa = signalsA.permute(1, 0, 2).reshape(signalsA.shape[1], -1);
            var wb = signalsB.permute(1, 0, 2).reshape(signalsB.shape[1], -1);
            return wa.matmul(wb.T);
        }
        var ra = signalsA.permute(1, 0, 2).reshape(-1, signalsA.shape[2]); // rows i·p + c
        var rb = signalsB.permute(1, 0, 2).reshape(-1, signalsB.shape[2]);
        return ra.matmul(rb.T);
    }

    private static (double Weight, double Bias) Scales(nn.Module module) =>
        module is ScaledLinear s ? (s.WeightScale, s.BiasScale) : (1.0, 1.0);

    /// <summary>
    /// In place, k[(i,c),(j,c′)] *= s[i, j] for a kernel k of [n_a·p, n_b·p] (p = 1: traced) and a sample matrix s
    /// [n_a, n_b] (or a scalar), by broadcasting over a [n_a, p, n_b, p] view: no expanded copy of s.
    /// </summary>
    internal static void MultiplyBySampleMatrix(Tensor k, Tensor s, long outputs)
    {
        if (s.dim() < 2 || outputs == 1)
        {
            k.mul_(s);
            return;
        }
        long na = s.shape[0],
            nb = s.shape[1];
        using var view = k.view(na, outputs, nb, outputs);
        using var sv = s.view(na, 1, nb, 1);
        view.mul_(sv);
    }
}
