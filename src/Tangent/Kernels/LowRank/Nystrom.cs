using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Kernels.LowRank;

/// <summary>
/// The top-r eigenpairs of an eNTK snapshot without forming K: the Nyström approximation K̃ = C W⁺ Cᵀ from the cross
/// kernel C = K(x, x_L) to m landmark samples and its landmark block W = K(x_L, x_L), certified by the exact trace
/// tr K = Σ_i ‖∇_w f(x_i)‖²_M and by probes of the exact K·v (<see cref="NtkVectorProducts"/>).
/// </summary>
public static class Nystrom
{
    /// <summary>
    /// K̃_r for the kernel of <paramref name="model"/> on <paramref name="x"/> with <paramref name="ntk"/>'s method,
    /// parameters, preconditioner and output tracing. With W = U S Uᵀ (S above the cutoff), B = C U S^{-1/2}, so
    /// K̃ = B Bᵀ; with BᵀB = Z Σ² Zᵀ, the eigenpairs of K̃ are (σ_i², B z_i / σ_i). Time O(N·M·(cost of one kernel
    /// entry) + N·M²), memory O(N·M), M = m (traced) or m·p; each block of rows is computed against itself and the
    /// landmarks, so one signal pass per block gives both its rows of C and its entries of diag K.
    /// With query inputs <paramref name="query"/>, also the cross kernel on the kept directions: with C_Q = K(x_Q, x_L)
    /// and B_Q = C_Q U S^{-1/2}, the Nyström cross kernel C_Q W⁺ Cᵀ = B_Q Bᵀ has rank-r part F Vᵀ with
    /// F = B_Q Z_r Σ_r (<see cref="LowRankKernel.QueryFactor"/>).
    /// </summary>
    public static LowRankKernel Compute(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        NtkOptions ntk,
        NystromOptions options,
        Tensor? query = null
    )
    {
        long n = x.shape[0];
        int m = (int)Math.Min(n, options.Landmarks ?? (2L * options.Rank + 50));
        if (options.Rank < 1 || options.Rank > m * OutputsPerLandmark(model, x, ntk))
            throw new ArgumentOutOfRangeException(nameof(options), $"the rank must be in [1, {m} landmarks' rows]");
        using var scope = NewDisposeScope();
        var landmarks = randperm(n, generator: Seeds.Generator(options.Seed)).narrow(0, 0, m).sort().Values;
        var xl = x.index_select(0, landmarks);
        var (blocks, diagonal) = CrossToLandmarks(model, x, xl, ntk, options.RowBlock, withDiagonal: true);
        var c = cat(blocks, 0);
        long p = c.shape[1] / m;
        var rows = (landmarks.unsqueeze(1) * p + arange(p).unsqueeze(0)).reshape(-1);
        var w = c.index_select(0, rows);
        w = (w + w.T) / 2;
        var (s2, u) = linalg.eigh(w);
        var keep = s2.gt(options.Cutoff * s2.max());
        var whitening = u.index_select(1, keep.nonzero().reshape(-1)) / s2.masked_select(keep).sqrt();
        var b = c.matmul(whitening);
        var (sigma2, z) = linalg.eigh(b.T.matmul(b));
        sigma2 = sigma2.flip(0).clamp_min(0);
        z = z.flip(1);
        int r = (int)Math.Min(options.Rank, sigma2.shape[0]);
        Tensor values;
        Tensor vectors;
        Tensor? queryFactor = null;
        double residual = double.NaN;
        if (options.Refinements > 0)
        {
            var basis = b.matmul(z) / sigma2.clamp_min(1e-300).sqrt();
            var nonzero = sigma2.gt(options.Cutoff * sigma2.max()).nonzero().reshape(-1);
            // B z_i / σ_i loses orthogonality as σ_i falls toward the cutoff; Rayleigh–Ritz needs an orthonormal
            // basis of the same span.
            var (orthonormal, _) = linalg.qr(basis.index_select(1, nonzero));
            var ritz = Refine(model, x, ntk, options, orthonormal);
            sigma2 = ritz.Values;
            r = (int)Math.Min(options.Rank, sigma2.shape[0]);
            values = sigma2.narrow(0, 0, r);
            vectors = ritz.Vectors.narrow(1, 0, r);
            residual = ritz.Residual(r);
            if (query is not null)
                queryFactor = StreamedKernel.Times(model, query, x, vectors, ntk, options.RowBlock);
        }
        else
        {
            values = sigma2.narrow(0, 0, r);
            vectors = b.matmul(z.narrow(1, 0, r)) / values.clamp_min(1e-300).sqrt();
            if (query is not null)
            {
                var (cq, _) = CrossToLandmarks(model, query, xl, ntk, options.RowBlock, withDiagonal: false);
                queryFactor = cat(cq, 0).matmul(whitening).matmul(z.narrow(1, 0, r)) * values.sqrt();
            }
        }
        double[] all = sigma2.data<double>().ToArray();

        double traceK = cat(diagonal, 0).sum().item<double>();
        double next = all.Length > r ? all[r] : 0;
        // Nyström: K − K̃ is PSD, so ‖K − K̃_r‖ ≤ tr(K − K̃) + λ̃_{r+1}.
        // Refined (Rayleigh–Ritz with the exact K, P = V Vᵀ):
        // K − PKP = (I−P)K(I−P) + [(I−P)KP + transpose]. The first is PSD with trace
        // tr K − Σ_{i≤r} θ_i; the second has norm ‖(I−P)KV‖₂ = ‖KV − VΘ‖₂.
        double bound =
            options.Refinements > 0
                ? Math.Max(0, traceK - all.Take(r).Sum()) + residual
                : Math.Max(0, traceK - all.Sum()) + next;
        double probe = double.NaN;
        if (options.Probes > 0)
            probe = Probe(model, x, ntk, values, vectors, options.Probes, options.Seed + 1);
        double threshold = options.Threshold ?? options.RelativeThreshold * all[0];
        double level = threshold / options.CaptureFactor;
        int needed = Array.FindIndex(all, v => v <= level);
        var certificate = new KernelCertificate(
            traceK,
            all.Sum(),
            next,
            bound,
            probe,
            options.Probes,
            threshold,
            all[r - 1],
            all[r - 1] <= level,
            needed < 0 ? null : needed + 1,
            all.Take(r).Count(v => v >= threshold)
        )
        {
            Refinements = options.Refinements,
            Residual = residual,
        };
        return new LowRankKernel(
            values.MoveToOuterDisposeScope(),
            vectors.MoveToOuterDisposeScope(),
            all,
            landmarks.data<long>().ToArray(),
            certificate
        )
        {
            QueryFactor = queryFactor?.MoveToOuterDisposeScope(),
        };
    }

    /// <summary>
    /// Block Krylov refinement from the orthonormal Nyström basis Z₀ with q exact products (<see
    /// cref="StreamedKernel"/>): Y_t = K Z_t, and Z_{t+1} an orthonormal basis of the part of Y_t outside
    /// span(Z₀, …, Z_t) (projected out twice), so that Z = [Z₀, …, Z_{q−1}] spans the block
    /// Krylov space {Z₀, K Z₀, …, K^{q−1} Z₀} and K Z = [Y₀, …, Y_{q−1}] is known.
    /// Rayleigh–Ritz: H = Zᵀ K Z = U Θ Uᵀ gives the Ritz pairs (θ_i, Z u_i), θ_1 ≥ θ_2 ≥ …,
    /// with θ_i ≤ λ_i (Cauchy interlacing), and their images K Z u_i at no further product. The spaces
    /// are nested, so every θ_i grows with q.
    /// </summary>
    private static Ritz Refine(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        NtkOptions ntk,
        NystromOptions options,
        Tensor basis
    )
    {
        var blocks = new List<Tensor> { basis };
        var images = new List<Tensor>();
        for (int t = 0; t < options.Refinements; t++)
        {
            var y = StreamedKernel.Times(model, x, x, blocks[^1], ntk, options.RowBlock);
            images.Add(y);
            if (t + 1 == options.Refinements)
                break;
            var z = cat(blocks, 1);
            var next = y - z.matmul(z.T.matmul(y));
            next -= z.matmul(z.T.matmul(next));
            var (u, sv, _) = linalg.svd(next, fullMatrices: false);
            var keep = sv.gt(KrylovTolerance * y.norm().item<double>()).nonzero().reshape(-1);
            if (keep.shape[0] == 0)
                break; // the space is invariant: its Ritz pairs are exact
            blocks.Add(u.index_select(1, keep));
        }
        var basisAll = cat(blocks, 1);
        var imagesAll = cat(images, 1);
        var h = basisAll.T.matmul(imagesAll);
        var (theta, w) = linalg.eigh((h + h.T) / 2);
        theta = theta.flip(0);
        w = w.flip(1);
        return new Ritz(theta, basisAll.matmul(w), imagesAll.matmul(w));
    }

    /// <summary>New Krylov directions whose singular value is below this share of ‖K Z_t‖_F are already in the
    /// space (rounding).</summary>
    private const double KrylovTolerance = 1e-10;

    /// <summary>Ritz values θ (descending), vectors V = Q U and images K V = Y U of <see cref="Refine"/>.</summary>
    private sealed record Ritz(Tensor Theta, Tensor Vectors, Tensor Images)
    {
        /// <summary>θ clamped at 0 (K is positive semi-definite; only rounding makes a Ritz value
        /// negative).</summary>
        public Tensor Values => Theta.clamp_min(0);

        /// <summary>‖K V_r − V_r Θ_r‖₂ over the first r pairs: every θ_i (i ≤ r) lies within it of an
        /// eigenvalue of K, and it is the norm of the off-diagonal blocks of K in the split by
        /// P = V_r V_rᵀ.</summary>
        public double Residual(int r) =>
            linalg
                .svdvals(Images.narrow(1, 0, r) - Vectors.narrow(1, 0, r) * Theta.narrow(0, 0, r))
                .max()
                .item<double>();
    }

    /// <summary>
    /// K(x, x_L) in row blocks of <paramref name="rowBlock"/> samples, float64, and (with
    /// <paramref name="withDiagonal"/>) each block's entries of diag K. With the layer rules the landmarks are
    /// captured once and every block contracts against that capture (one signal pass per sample, and the structured
    /// diagonal); other methods compute each block against [the block; the landmarks].
    /// </summary>
    private static (List<Tensor> Blocks, List<Tensor> Diagonal) CrossToLandmarks(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        Tensor xl,
        NtkOptions ntk,
        int rowBlock,
        bool withDiagonal
    )
    {
        var blocks = new List<Tensor>();
        var diagonal = new List<Tensor>();
        long n = x.shape[0];
        if (ntk.Method == NtkMethod.LayerwiseRules)
        {
            var (plan, landmarks) = Ntk.Capture(model, xl, ntk);
            using var _ = landmarks;
            int rows = landmarks.BlockUnderThreshold(rowBlock);
            for (long s = 0; s < n; s += rows)
            {
                ntk.Cancel.ThrowIfCancellationRequested();
                using var inner = NewDisposeScope();
                using var block = ForwardCapture.Run(
                    model,
                    x.narrow(0, s, Math.Min(n, s + rows) - s),
                    [.. plan.Layers.Where(l => l.Rule is not null)]
                );
                blocks.Add(
                    Ntk.CrossOf(plan, block, landmarks, ntk).to_type(ScalarType.Float64).MoveToOuterDisposeScope()
                );
                if (withDiagonal)
                    diagonal.Add(
                        Ntk.DiagonalOf(plan, block, ntk).to_type(ScalarType.Float64).MoveToOuterDisposeScope()
                    );
            }
            return (blocks, diagonal);
        }
        for (long s = 0; s < n; s += rowBlock)
        {
            ntk.Cancel.ThrowIfCancellationRequested();
            using var inner = NewDisposeScope();
            var xb = x.narrow(0, s, Math.Min(n, s + rowBlock) - s);
            var k = Ntk.Cross(model, xb, withDiagonal ? cat([xb, xl], 0) : xl, ntk).to_type(ScalarType.Float64);
            long rowsB = withDiagonal ? k.shape[0] : 0;
            blocks.Add(k.narrow(1, rowsB, k.shape[1] - rowsB).MoveToOuterDisposeScope());
            if (withDiagonal)
                diagonal.Add(k.narrow(1, 0, rowsB).diag().MoveToOuterDisposeScope());
        }
        return (blocks, diagonal);
    }

    /// <summary>
    /// diag K: K_(i,c)(i,c) = ‖∇_w f_c(x_i)‖²_M, sample-major [n·p], or its trace over outputs Σ_c per sample [n] when
    /// traced; from per-example squared gradient norms (<see cref="GradientStatistics.PreconditionedSquaredNorms"/>),
    /// never from kernel rows.
    /// </summary>
    public static Tensor Diagonal(nn.Module<Tensor, Tensor> model, Tensor x, NtkOptions ntk)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        long p;
        using (no_grad())
            p = model.call(x.narrow(0, 0, 1)).reshape(1, -1).shape[1];
        var columns = new List<Tensor>();
        for (long c = 0; c < p; c++)
        {
            long channel = c;
            columns.Add(
                GradientStatistics
                    .PreconditionedSquaredNorms(model, x, u => u.reshape(n, -1)[TensorIndex.Colon, channel], ntk)
                    .to_type(ScalarType.Float64)
            );
        }
        var d = stack(columns, 1);
        return (ntk.Traced ? d.sum(1) : d.reshape(-1)).MoveToOuterDisposeScope();
    }

    private static long OutputsPerLandmark(nn.Module<Tensor, Tensor> model, Tensor x, NtkOptions ntk)
    {
        if (ntk.Traced)
            return 1;
        using var scope = NewDisposeScope();
        using (no_grad())
            return model.call(x.narrow(0, 0, 1)).reshape(1, -1).shape[1];
    }

    /// <summary>‖R z_t‖ after t power iterations on R = K − K̃_r (positive semi-definite when K̃_r is a truncated
    /// Nyström approximation), K·v exact: a lower bound on ‖R‖₂.</summary>
    private static double Probe(
        nn.Module<Tensor, Tensor> model,
        Tensor x,
        NtkOptions ntk,
        Tensor values,
        Tensor vectors,
        int iterations,
        long seed
    )
    {
        using var scope = NewDisposeScope();
        using var op = new NtkVectorProducts(model, x, x, ntk);
        var dtype = model.parameters().First().dtype;
        var zv = randn(new[] { vectors.shape[0] }, dtype: ScalarType.Float64, generator: Seeds.Generator(seed));
        zv /= zv.norm();
        double estimate = 0;
        for (int t = 0; t < iterations; t++)
        {
            ntk.Cancel.ThrowIfCancellationRequested();
            using var inner = NewDisposeScope();
            var y =
                op.Apply(zv.to_type(dtype)).to_type(ScalarType.Float64) - vectors.matmul(values * vectors.T.matmul(zv));
            estimate = y.norm().item<double>();
            if (estimate == 0)
                break;
            zv = (y / estimate).MoveToOuterDisposeScope();
        }
        return estimate;
    }
}
