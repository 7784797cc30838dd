using static TorchSharp.torch;

namespace Tangent.Kernels.LowRank;

/// <summary>
/// Exact block products with an eNTK that is never held: Y = K(x_A, x_B) Q, computed one tile of rows × columns at a
/// time and discarded. Memory O(N_A·ℓ + tile + capture of one column chunk), time that of the dense K_AB plus
/// 2·N_A·N_B·ℓ for the products; the refinement of <see cref="Nystrom"/> and its exact query factor use it.
/// </summary>
public static class StreamedKernel
{
    /// <summary>
    /// Y = K(x_A, x_B) Q [N_A × ℓ], float64, for Q [N_B × ℓ] (N = n, traced, or n·p, sample-major). Columns
    /// are taken <paramref name="columnBlock"/> samples at a time (with the layer rules, each chunk's forward
    /// capture is taken once and every block of <paramref name="rowBlock"/> rows is contracted against it); no
    /// tile outlives its product.
    /// </summary>
    public static Tensor Times(
        nn.Module<Tensor, Tensor> model,
        Tensor xa,
        Tensor xb,
        Tensor q,
        NtkOptions ntk,
        int rowBlock = 512,
        int columnBlock = 4096
    )
    {
        long na = xa.shape[0];
        long nb = xb.shape[0];
        if (q.dim() != 2 || q.shape[0] % nb != 0)
            throw new ArgumentException($"Q must have N_B rows (a multiple of the {nb} column samples)", nameof(q));
        long p = q.shape[0] / nb;
        var y = zeros(new[] { na * p, q.shape[1] }, dtype: ScalarType.Float64);
        using var scope = NewDisposeScope();
        var q64 = q.to_type(ScalarType.Float64);
        if (ntk.Method == NtkMethod.LayerwiseRules)
        {
            // A column chunk's capture is held while every row block meets it: about 1 GiB for its largest tensor.
            var (_, probe) = Ntk.Capture(model, xb.narrow(0, 0, 1), ntk);
            using (probe)
                columnBlock = (int)
                    Math.Clamp((1L << 30) / Math.Max(1, probe.BytesPerSample), Math.Min(64, columnBlock), columnBlock);
        }
        for (long c = 0; c < nb; c += columnBlock)
        {
            using var chunkScope = NewDisposeScope();
            long width = Math.Min(nb, c + columnBlock) - c;
            var xc = xb.narrow(0, c, width);
            var qc = q64.narrow(0, c * p, width * p);
            if (ntk.Method == NtkMethod.LayerwiseRules)
            {
                var (plan, columns) = Ntk.Capture(model, xc, ntk);
                using var _ = columns;
                ForEachRowBlock(
                    na,
                    columns.BlockUnderThreshold(rowBlock),
                    ntk,
                    (s, len) =>
                    {
                        using var block = ForwardCapture.Run(
                            model,
                            xa.narrow(0, s, len),
                            [.. plan.Layers.Where(l => l.Rule is not null)]
                        );
                        return Ntk.CrossOf(plan, block, columns, ntk);
                    },
                    qc,
                    y,
                    p
                );
            }
            else
                ForEachRowBlock(
                    na,
                    rowBlock,
                    ntk,
                    (s, len) => Ntk.Cross(model, xa.narrow(0, s, len), xc, ntk),
                    qc,
                    y,
                    p
                );
        }
        return y;
    }

    private static void ForEachRowBlock(
        long na,
        int rowBlock,
        NtkOptions ntk,
        Func<long, long, Tensor> tile,
        Tensor qc,
        Tensor y,
        long p
    )
    {
        for (long s = 0; s < na; s += rowBlock)
        {
            ntk.Cancel.ThrowIfCancellationRequested();
            using var inner = NewDisposeScope();
            long len = Math.Min(na, s + rowBlock) - s;
            var k = tile(s, len).to_type(ScalarType.Float64);
            y.narrow(0, s * p, len * p).add_(k.matmul(qc));
        }
    }
}
