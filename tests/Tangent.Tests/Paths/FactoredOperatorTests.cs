using Tangent.Kernels.LowRank;
using Tangent.Paths;
using static TorchSharp.torch;

namespace Tangent.Tests.Paths;

/// <summary>
/// The factored operators against brute force: for kernels of rank r (K_τ = V_τ Λ_τ V_τᵀ, K_QS,τ =
/// F_τ V_τᵀ) an explicit loop over every step of g ← (I − ηK/n) g, accumulating W_S = η Σ Pᵀ K P, W̃_S, D
/// = η Σ K P and G_Q = η Σ K_QS P in dense N × N matrices, gives the same operators as U Ŵ Uᵀ, U D̂ Uᵀ, Ĝ
/// Uᵀ and I − U(I − P̂)Uᵀ; the common basis is orthonormal and spans every V; truncating a dense snapshot at
/// full rank changes nothing.
/// </summary>
public class FactoredOperatorTests
{
    private const long N = 30,
        M = 7,
        Samples = 30;

    private static FactoredSnapshot RandomSnapshot(int step, int rank, double lr, Generator g, Tensor? shared = null)
    {
        var a = randn(new[] { N, (long)rank }, dtype: ScalarType.Float64, generator: g);
        if (shared is not null)
            a = cat([shared, a.narrow(1, 0, rank - shared.shape[1])], 1); // directions shared with another snapshot
        var (q, _) = linalg.qr(a);
        var values = (rand(new[] { (long)rank }, dtype: ScalarType.Float64, generator: g) * 40 + 1)
            .sort(descending: true)
            .Values;
        var f = randn(new[] { M, (long)rank }, dtype: ScalarType.Float64, generator: g);
        var us = randn(new[] { Samples, 1L }, dtype: ScalarType.Float64, generator: g);
        var uq = randn(new[] { M, 1L }, dtype: ScalarType.Float64, generator: g);
        var certificate = new KernelCertificate(0, 0, 0, 0, 0, 0, 1, values[-1].item<double>(), true, null, rank);
        return new FactoredSnapshot(step, lr, values, q, f, us, uq, certificate);
    }

    private static List<FactoredSnapshot> Window(Generator g)
    {
        var first = RandomSnapshot(0, 5, 0.4, g);
        return
        [
            first,
            RandomSnapshot(7, 6, 0.3, g, first.Vectors.narrow(1, 0, 2)),
            RandomSnapshot(19, 4, 0.5, g),
            RandomSnapshot(30, 5, 0.5, g),
        ];
    }

    /// <summary>The operators by an explicit step loop over dense matrices (obviously correct, O(N³) a
    /// step).</summary>
    private static (Tensor W, Tensor Wd, Tensor D, Tensor G, Tensor P) BruteForce(IReadOnlyList<FactoredSnapshot> w)
    {
        var identity = eye(N, dtype: ScalarType.Float64);
        var p = identity;
        var ws = zeros(N, N, dtype: ScalarType.Float64);
        var wd = zeros_like(ws);
        var d = zeros_like(ws);
        var gq = zeros(M, N, dtype: ScalarType.Float64);
        for (int k = 0; k + 1 < w.Count; k++)
        {
            var snap = w[k];
            var kss = (snap.Vectors * snap.Values).matmul(snap.Vectors.T);
            var kqs = snap.QueryFactor.matmul(snap.Vectors.T);
            double lr = snap.LearningRate;
            var discrete = kss - lr / (2.0 * Samples) * kss.matmul(kss);
            for (int t = snap.Step; t < w[k + 1].Step; t++)
            {
                ws += lr * p.T.matmul(kss).matmul(p);
                wd += lr * p.T.matmul(discrete).matmul(p);
                d += lr * kss.matmul(p);
                gq += lr * kqs.matmul(p);
                p = (identity - lr / Samples * kss).matmul(p);
            }
        }
        return (ws, wd, d, gq, p);
    }

    private static void Close(Tensor expected, Tensor actual, string what)
    {
        double error = (expected - actual).abs().max().item<double>();
        double scale = expected.abs().max().item<double>();
        Assert.True(error <= 1e-10 * Math.Max(scale, 1), $"{what}: max error {error:G3} (scale {scale:G3})");
    }

    [Theory]
    [InlineData(0.0)] // the whole span (Gram–Schmidt)
    [InlineData(1e-9)] // the flow basis, every direction with flow (φ ≳ 0.05 here) kept
    public void FactoredOperatorsEqualAnExplicitStepLoop(double flowCutoff)
    {
        using var scope = NewDisposeScope();
        var window = Window(new Generator(11));
        var (w, wd, d, g, p) = BruteForce(window);
        using var ops = FactoredOperators.Compute(window, traced: true, outputs: 1, flowCutoff: flowCutoff);
        var u = ops.Basis;
        Close(w, u.matmul(ops.Core.Gramian).matmul(u.T), "W_S");
        Close(wd, u.matmul(ops.Core.DiscreteGramian).matmul(u.T), "W̃_S");
        Close(d, u.matmul(ops.Core.Displacement).matmul(u.T), "D");
        Close(g, ops.Core.Transfer.matmul(u.T), "G_Q");
        var lifted =
            eye(N, dtype: ScalarType.Float64)
            - u.matmul(eye(u.shape[1], dtype: ScalarType.Float64) - ops.Core.Propagator).matmul(u.T);
        Close(p, lifted, "P(T, s)");
        Close(d.matmul(u), ops.Displace(u), "D x");
        Close(g.matmul(u), ops.Transfer(u), "G_Q x");
        foreach (var s in window)
            s.Dispose();
    }

    [Fact]
    public void TheCommonBasisIsOrthonormalAndSpansEverySnapshot()
    {
        using var scope = NewDisposeScope();
        var window = Window(new Generator(12));
        var u = FactoredOperators.CommonBasis(window.Select(s => s.Vectors).ToList());
        // 5 + (6 − 2 shared) + 4 + 5 directions in general position in R^30.
        Assert.Equal(18, u.shape[1]);
        Close(eye(u.shape[1], dtype: ScalarType.Float64), u.T.matmul(u), "UᵀU");
        foreach (var s in window)
            Close(s.Vectors, u.matmul(u.T.matmul(s.Vectors)), "UUᵀV");
        // A repeated subspace adds nothing.
        var again = FactoredOperators.CommonBasis([window[0].Vectors, window[0].Vectors.flip(1)]);
        Assert.Equal(5, again.shape[1]);
        foreach (var s in window)
            s.Dispose();
    }

    /// <summary>
    /// The flow basis against the dense time-integrated kernel F = Σ_τ ω_τ V_τ Λ_τ V_τᵀ formed and
    /// diagonalized directly: it spans exactly F's eigenvectors with φ above the cutoff, is orthonormal, and
    /// names the first eigenvalue left out. Ranks 5 + 6 + 4 + 5 ≤ N take the path through BᵀB, ranks
    /// 10 + 12 + 10 + 10 > N the one through the Gram–Schmidt basis. The weights put the threshold at one
    /// e-fold: Σ_τ ω_τ λ⋆_K = 1.
    /// </summary>
    [Theory]
    [InlineData(5, 6, 4, 5)]
    [InlineData(10, 12, 10, 10)]
    public void TheFlowBasisSpansTheIntegratedKernelsDirectionsAboveTheCutoff(int r0, int r1, int r2, int r3)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(14);
        var first = RandomSnapshot(0, r0, 0.4, g);
        var window = new List<FactoredSnapshot>
        {
            first,
            RandomSnapshot(7, r1, 0.3, g, first.Vectors.narrow(1, 0, 2)),
            RandomSnapshot(19, r2, 0.5, g),
            RandomSnapshot(30, r3, 0.5, g),
        };
        var weights = FactoredOperators.FlowWeights(window, traced: true, outputs: 1);
        double threshold = FactoredOperators.ThresholdOf([0, 7, 19, 30], [0.4, 0.3, 0.5, 0.5], Samples, true, 1);
        Assert.Equal(1.0, weights.Sum() * threshold, 1e-12);
        var f = zeros(N, N, dtype: ScalarType.Float64);
        for (int k = 0; k < window.Count; k++)
            f += weights[k] * (window[k].Vectors * window[k].Values).matmul(window[k].Vectors.T);
        var (phi, e) = linalg.eigh(f);
        phi = phi.flip(0);
        e = e.flip(1);
        int kept = 9; // the cutoff between φ_9 and φ_10
        double cutoff = Math.Sqrt(phi[kept - 1].item<double>() * phi[kept].item<double>());
        var (u, discarded) = FactoredOperators.FlowBasis(window, weights, cutoff);
        Assert.Equal(kept, u.shape[1]);
        Close(eye(kept, dtype: ScalarType.Float64), u.T.matmul(u), "UᵀU");
        var top = e.narrow(1, 0, kept);
        Close(top.matmul(top.T), u.matmul(u.T), "UUᵀ against the top eigenvectors of F");
        Assert.Equal(phi[kept].item<double>(), discarded, 1e-10);
        foreach (var s in window)
            s.Dispose();
    }

    [Fact]
    public void TruncatingADenseSnapshotAtFullRankKeepsItsKernels()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(13);
        var a = randn(new[] { N, N }, dtype: ScalarType.Float64, generator: g);
        var kss = a.matmul(a.T);
        var kqs = randn(new[] { M, N }, dtype: ScalarType.Float64, generator: g);
        using var dense = new Snapshot(
            3,
            0.1,
            kss,
            kqs,
            zeros(Samples, 1, dtype: ScalarType.Float64),
            zeros(M, 1, dtype: ScalarType.Float64)
        );
        using var full = FactoredSnapshot.Truncate(dense, (int)N, threshold: 1);
        Close(kss, (full.Vectors * full.Values).matmul(full.Vectors.T), "K_SS");
        Close(kqs, full.QueryFactor.matmul(full.Vectors.T), "K_QS");
        Assert.True(full.Certificate.Captured);
        Assert.Equal(0, full.Certificate.ErrorBound);
        using var low = FactoredSnapshot.Truncate(dense, 4, threshold: 1);
        var spectrum = linalg.eigvalsh(kss).flip(0).data<double>().ToArray();
        Assert.Equal(spectrum[4], low.Certificate.ErrorBound, 1e-9 * spectrum[0]); // ‖K − K_4‖₂ = λ_5
        Assert.Equal(spectrum[3], low.Certificate.LastKept, 1e-9 * spectrum[0]);
    }

    [Fact]
    public void TheFactoredCenteredAlignmentIsTheDenseOne()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(14);
        var a = randn(new[] { N, 8L }, dtype: ScalarType.Float64, generator: g);
        var kss = a.matmul(a.T);
        var (values, vectors) = linalg.eigh(kss);
        var y = randn(new[] { N, 2L }, dtype: ScalarType.Float64, generator: g);
        double dense = KernelDiagnostics.CenteredAlignment(kss, y);
        double factored = KernelDiagnostics.CenteredAlignment(vectors, values, y);
        Assert.Equal(dense, factored, 1e-12);
    }
}
