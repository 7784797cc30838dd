using Tangent.Kernels;
using Tangent.Kernels.LowRank;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels.LowRank;

/// <summary>
/// The Nyström snapshot against the dense eNTK (brute force): with every sample a landmark it reproduces the dense
/// spectrum; with fewer, its certificate bounds the true error from above (trace bound) and from below (probes), Weyl's
/// inequality holds under the bound, the exact diagonal is the dense one, and the capture verdict follows λ⋆.
/// </summary>
public class NystromTests
{
    private static (Mlp Model, Tensor X) Problem(int n = 40)
    {
        var model = new Mlp(new MlpConfig { Widths = [6, 24, 3], BiasStd = 0.1 }, Tangent.Seeds.Generator(5));
        var x = randn(new long[] { n, 6 }, dtype: ScalarType.Float64, generator: Tangent.Seeds.Generator(6));
        return (model, x);
    }

    private static double[] DenseSpectrum(Tensor k) => linalg.eigvalsh(k).flip(0).data<double>().ToArray();

    /// <summary>Rank 6 from 8 of the samples as landmarks, with <paramref name="probes"/> probes and
    /// <paramref name="refinements"/> refinements.</summary>
    private static LowRankKernel SixFromEight(
        Mlp model,
        Tensor x,
        NtkOptions ntk,
        int probes,
        int refinements = 0,
        Tensor? query = null
    ) =>
        Nystrom.Compute(
            model,
            x,
            ntk,
            new NystromOptions
            {
                Rank = 6,
                Landmarks = 8,
                Probes = probes,
                Refinements = refinements,
            },
            query
        );

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryLandmarkReproducesTheDenseSpectrum(bool traced)
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem();
        var ntk = new NtkOptions { Traced = traced };
        var dense = DenseSpectrum(Ntk.Cross(model, x, x, ntk));
        using var low = Nystrom.Compute(
            model,
            x,
            ntk,
            new NystromOptions
            {
                Rank = 12,
                Landmarks = 40,
                Probes = 0,
            }
        );
        var values = low.Values.data<double>().ToArray();
        for (int i = 0; i < 12; i++)
            Assert.True(Math.Abs(values[i] - dense[i]) <= 1e-8 * dense[0], $"λ_{i + 1}: {values[i]} vs {dense[i]}");
        Assert.True(Math.Abs(low.Certificate.TraceK - low.Certificate.TraceNystrom) <= 1e-8 * low.Certificate.TraceK);
    }

    /// <summary>
    /// A float32 network (crosses in float32, as a <c>"dtype": "float32"</c> run records them) against the float64
    /// dense spectrum of the same weights: a 6 → 4 → 3 tanh network has 43 parameters, so its 120-row kernel has
    /// rank 43 and 20 landmark samples (60 rows) make Nyström exact in exact arithmetic, while 17 eigenvalues of W
    /// are rounding. Every kept eigenvalue within 1e-4 of λ₁ (float32's ε is 1.2e-7; the float64 run agrees to
    /// rounding).
    /// </summary>
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void LandmarksSpanningTheRowSpaceGiveTheDenseSpectrumInFloat32And64(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var config = new MlpConfig
        {
            Widths = [6, 4, 3],
            BiasStd = 0.1,
            Activation = Activation.Tanh,
        };
        var model = new Mlp(config, Tangent.Seeds.Generator(5));
        var x = randn(new long[] { 40, 6 }, dtype: ScalarType.Float64, generator: Tangent.Seeds.Generator(6));
        var ntk = new NtkOptions { Traced = false };
        var dense = DenseSpectrum(Ntk.Cross(model, x, x, ntk));
        var single = new Mlp(config, Tangent.Seeds.Generator(5), dtype);
        using var low = Nystrom.Compute(
            single,
            x.to_type(dtype),
            ntk,
            new NystromOptions
            {
                Rank = 40,
                Landmarks = 20, // 60 rows ≥ rank 43: exact in exact arithmetic
                Probes = 0,
            }
        );
        var values = low.Values.data<double>().ToArray();
        for (int i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(values[i] - dense[i]) <= 1e-4 * dense[0], $"λ_{i + 1}: {values[i]} vs {dense[i]}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheCertificateBoundsTheTrueErrorFromBothSides(bool traced)
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem();
        var ntk = new NtkOptions { Traced = traced };
        var k = Ntk.Cross(model, x, x, ntk);
        using var low = SixFromEight(model, x, ntk, probes: 6);
        var residual = k - low.Vectors.matmul(low.Values.diag()).matmul(low.Vectors.T);
        double truth = linalg.eigvalsh((residual + residual.T) / 2).abs().max().item<double>();
        var cert = low.Certificate;
        Assert.True(truth > 0);
        Assert.True(cert.ErrorBound >= truth * (1 - 1e-9), $"bound {cert.ErrorBound} < true {truth}");
        Assert.True(cert.ProbeEstimate <= truth * (1 + 1e-9), $"probe {cert.ProbeEstimate} > true {truth}");
        Assert.True(cert.ProbeEstimate > 0.1 * truth, $"probe {cert.ProbeEstimate} far below {truth}");
        var dense = DenseSpectrum(k);
        var values = low.Values.data<double>().ToArray();
        for (int i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(dense[i] - values[i]) <= cert.ErrorBound, $"Weyl fails at {i}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TheDiagonalIsTheDenseDiagonal(bool traced)
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem(15);
        var ntk = new NtkOptions { Traced = traced };
        var expected = Ntk.Cross(model, x, x, ntk).diag();
        var actual = Nystrom.Diagonal(model, x, ntk);
        Assert.True(allclose(actual, expected, rtol: 1e-10, atol: 1e-12));
    }

    [Fact]
    public void TheCaptureVerdictFollowsTheThreshold()
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem();
        var ntk = new NtkOptions { Traced = true };
        var dense = DenseSpectrum(Ntk.Cross(model, x, x, ntk));
        // λ⋆ = 10·λ_6 (dense): the rank-8 snapshot reaches an order of magnitude below it only if λ̃_8 ≤ λ_6.
        var high = new NystromOptions
        {
            Rank = 8,
            Landmarks = 40,
            Probes = 0,
            Threshold = 10 * dense[5],
        };
        using (var low = Nystrom.Compute(model, x, ntk, high))
        {
            Assert.Equal(dense[7] <= dense[5], low.Certificate.Captured);
            Assert.True(low.Certificate.Captured);
            Assert.Equal(
                Enumerable.Range(0, 8).Count(i => dense[i] >= 10 * dense[5]),
                low.Certificate.ChannelDimension
            );
        }
        // λ⋆ at the 20th eigenvalue: rank 8 cannot capture it, and the rank that would is the first index with
        // λ ≤ λ⋆/10.
        var low20 = new NystromOptions
        {
            Rank = 8,
            Landmarks = 40,
            Probes = 0,
            Threshold = dense[19],
        };
        using (var low = Nystrom.Compute(model, x, ntk, low20))
        {
            Assert.False(low.Certificate.Captured);
            int expected = Array.FindIndex(dense, v => v <= dense[19] / 10) + 1;
            Assert.Equal(expected == 0 ? null : expected, low.Certificate.RankNeeded);
            Assert.Contains("NOT captured", low.Certificate.Text(8, 40));
        }
    }

    /// <summary>
    /// Refined pairs against the dense spectrum (brute force), 8 landmarks of 40 samples, rank 6: Ritz values
    /// of the exact K lie below the true eigenvalues (Cauchy interlacing), each within the reported Ritz
    /// residual of some true eigenvalue (the residual itself equal to the brute-force ‖K V − V Θ‖₂), the
    /// true ‖K − K̃‖₂ under the bound tr K − Σθ + residual, every kept value within it of the true one
    /// (Weyl), the query factor equal to K_QS V, and the error shrinking as refinements grow.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RefinedPairsAreRitzPairsOfTheExactKernelWithinTheirCertificate(bool traced)
    {
        using var scope = NewDisposeScope();
        var (model, x) = Problem();
        var xq = randn(new long[] { 9, 6 }, dtype: ScalarType.Float64, generator: Tangent.Seeds.Generator(8));
        var ntk = new NtkOptions { Traced = traced };
        var k = Ntk.Cross(model, x, x, ntk);
        var dense = DenseSpectrum(k);
        double Error(int refinements)
        {
            using var low = SixFromEight(model, x, ntk, probes: 0, refinements);
            var v = low.Values.data<double>().ToArray();
            return Enumerable.Range(0, 6).Max(i => Math.Abs(v[i] - dense[i])) / dense[0];
        }
        using (var low = SixFromEight(model, x, ntk, probes: 0, refinements: 2, query: xq))
        {
            var cert = low.Certificate;
            var values = low.Values.data<double>().ToArray();
            Assert.Equal(2, cert.Refinements);
            Assert.True(cert.Residual > 0);
            for (int i = 0; i < values.Length; i++)
            {
                Assert.True(values[i] <= dense[i] * (1 + 1e-10), $"θ_{i + 1} = {values[i]} > λ = {dense[i]}");
                double nearest = dense.Min(l => Math.Abs(l - values[i]));
                Assert.True(nearest <= cert.Residual * (1 + 1e-9), $"θ_{i + 1}: {nearest} > {cert.Residual}");
                Assert.True(Math.Abs(dense[i] - values[i]) <= cert.ErrorBound, $"Weyl fails at {i}");
            }
            var residual = k - low.Vectors.matmul(low.Values.diag()).matmul(low.Vectors.T);
            double truth = linalg.eigvalsh((residual + residual.T) / 2).abs().max().item<double>();
            Assert.True(cert.ErrorBound >= truth * (1 - 1e-9), $"bound {cert.ErrorBound} < true {truth}");
            var kv = k.matmul(low.Vectors) - low.Vectors * low.Values;
            double ritzResidual = linalg.svdvals(kv).max().item<double>();
            Assert.True(
                Math.Abs(cert.Residual - ritzResidual) <= 1e-9 * dense[0],
                $"residual {cert.Residual} against the brute-force ‖K V − V Θ‖₂ = {ritzResidual}"
            );
            var exactQuery = Ntk.Cross(model, xq, x, ntk).matmul(low.Vectors);
            Assert.True(allclose(low.QueryFactor!, exactQuery, rtol: 1e-10, atol: 1e-12 * dense[0]));
        }
        double plain = Error(0),
            one = Error(1),
            four = Error(4);
        Assert.True(one < plain && four < one, $"errors {plain}, {one}, {four} do not shrink");
    }
}
