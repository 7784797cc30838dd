using Tangent.Kernels.LowRank;
using Tangent.Paths;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Paths;

/// <summary>
/// The momentum-aware factored operators against two references on low-rank kernels whose common subspace U leaves a
/// complement (R &lt; N): an explicit loop of the recurrence h_t = a h_{t−1} + b K g_t, h^Q_t = a h^Q_{t−1} + b
/// K_QS g_t, g_{t+1} = g_t − (η c_t/n) h_t from a random state with parts outside U (train and test motion, and
/// the discrete loss identity, to 1e-10 relative), and the dense momentum-aware operators of the same kernels
/// (<see cref="MomentumOperators"/>' augmented propagator, itself checked against the loop), every block lifted to
/// the output space.
/// </summary>
public class FactoredMomentumTests
{
    private const long Samples = 12,
        Queries = 5,
        Outputs = 2;

    public static TheoryData<string> Models => new() { "heavy-ball", "adam" };

    private static MomentumModel Model(string kind) =>
        kind == "adam" ? new("adam", 0.9, 0.1, 0.9) : new("heavy-ball", 0.8, 1, 0);

    /// <summary>Snapshots of ranks 3, 4, 2 and 1 (the first two sharing a direction: R ≤ 9 of N = 12); an Adam
    /// window's first segment is all bias-corrected steps, its second both kinds.</summary>
    private static List<FactoredSnapshot> Window(Generator g)
    {
        FactoredSnapshot At(int step, int rank, double lr, Tensor? shared = null)
        {
            var a = randn(new[] { Samples, (long)rank }, dtype: ScalarType.Float64, generator: g);
            if (shared is not null)
                a = cat([shared, a.narrow(1, 0, rank - shared.shape[1])], 1);
            var (q, _) = linalg.qr(a);
            var values = (rand(new[] { (long)rank }, dtype: ScalarType.Float64, generator: g) * 30 + 1)
                .sort(descending: true)
                .Values;
            var f = randn(new[] { Queries, (long)rank }, dtype: ScalarType.Float64, generator: g);
            var us = randn(new[] { Samples, Outputs }, dtype: ScalarType.Float64, generator: g);
            var uq = randn(new[] { Queries, Outputs }, dtype: ScalarType.Float64, generator: g);
            var certificate = new KernelCertificate(0, 0, 0, 0, 0, 0, 1, values[-1].item<double>(), true, null, rank);
            return new FactoredSnapshot(step, lr, values, q, f, us, uq, certificate);
        }
        var first = At(0, 3, 0.2);
        return [first, At(200, 4, 0.15, first.Vectors.narrow(1, 0, 1)), At(450, 2, 0.25), At(700, 1, 0.25)];
    }

    private static (Tensor Kss, Tensor Kqs) Dense(FactoredSnapshot s) =>
        ((s.Vectors * s.Values).matmul(s.Vectors.T), s.QueryFactor.matmul(s.Vectors.T));

    private static double Relative(Tensor actual, Tensor expected) =>
        (actual - expected).norm().item<double>() / Math.Max(expected.norm().item<double>(), 1e-300);

    [Theory]
    [MemberData(nameof(Models))]
    public void FactoredMomentumOperatorsMatchTheRecurrenceStepByStep(string kind)
    {
        using var scope = NewDisposeScope();
        var window = Window(new Generator(5));
        var model = Model(kind);
        using var ops = FactoredOperators.Compute(window, traced: true, (int)Outputs, momentum: model);
        Assert.NotNull(ops.Momentum);
        Assert.True(ops.Dimension < Samples, $"R = {ops.Dimension}: the test needs a complement");
        var gen = new Generator(6);
        var g0 = randn(new[] { Samples, Outputs }, dtype: ScalarType.Float64, generator: gen);
        var h0 = randn(new[] { Samples, Outputs }, dtype: ScalarType.Float64, generator: gen);
        var hq0 = randn(new[] { Queries, Outputs }, dtype: ScalarType.Float64, generator: gen);
        Tensor g = g0,
            h = h0,
            hq = hq0,
            dUs = zeros_like(g0),
            dUq = zeros_like(hq0);
        double lossDrop = 0;
        for (int k = 0; k + 1 < window.Count; k++)
        {
            var (kss, kqs) = Dense(window[k]);
            kss /= Outputs; // traced: the per-output kernel K_tr/p
            kqs /= Outputs;
            for (long t = window[k].Step; t < window[k + 1].Step; t++)
            {
                double lrc = window[k].LearningRate * model.StepScale(t);
                h = model.Coefficient * h + model.GradientWeight * kss.matmul(g);
                hq = model.Coefficient * hq + model.GradientWeight * kqs.matmul(g);
                var du = -lrc * h;
                // ½-MSE on n points: g = (U − Y)/n, B = I/n; the exact decrease of a quadratic loss.
                lossDrop -= (g * du).sum().item<double>() + 0.5 / Samples * du.square().sum().item<double>();
                dUs += du;
                dUq -= lrc * hq;
                g += du / Samples;
            }
        }
        var mom = ops.Momentum!;
        var zg = ops.Project(g0);
        var zh = ops.Project(h0);
        var hPerp = h0 - ops.Basis.matmul(zh);
        var gPerp = g0 - ops.Basis.matmul(zg);
        var predictedS = -(
            ops.Basis.matmul(ops.Core.Displacement.matmul(zg) + mom.Displacement.matmul(zh))
            + mom.ComplementDisplacement * hPerp
        );
        var predictedQ = -(ops.Core.Transfer.matmul(zg) + mom.Transfer.matmul(zh) + mom.QueryScale * hq0);
        double predictedDrop = mom.LossDecrease(zg, zh, gPerp, hPerp, discrete: true);
        Assert.True(Relative(predictedS, dUs) < 1e-10, $"train motion {Relative(predictedS, dUs):E2}");
        Assert.True(Relative(predictedQ, dUq) < 1e-10, $"test motion {Relative(predictedQ, dUq):E2}");
        Assert.True(
            Math.Abs(predictedDrop - lossDrop) < 1e-10 * Math.Abs(lossDrop),
            $"loss decrease {predictedDrop} against {lossDrop}"
        );
        // The momentum outside U matters here: dropping it misses the train motion.
        var withoutComplement = -ops.Basis.matmul(ops.Core.Displacement.matmul(zg) + mom.Displacement.matmul(zh));
        Assert.True(Relative(withoutComplement, dUs) > 1e-3);
        foreach (var s in window)
            s.Dispose();
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void FactoredMomentumOperatorsEqualTheDenseOnesOnTheSameKernels(string kind)
    {
        using var scope = NewDisposeScope();
        var window = Window(new Generator(9));
        var model = Model(kind);
        using var ops = FactoredOperators.Compute(window, traced: true, (int)Outputs, momentum: model);
        Assert.True(ops.Dimension < Samples, $"R = {ops.Dimension}: the test needs a complement");
        var dense = window
            .Select(s =>
            {
                var (kss, kqs) = Dense(s);
                return new Snapshot(s.Step, s.LearningRate, kss, kqs, s.Us, s.Uq);
            })
            .ToList();
        // The augmented (g, h, h_Q) propagator by repeated squaring, not the dense path's own mode maps.
        using var reference = PathOperators.Compute(
            dense,
            LossKind.HalfMse,
            traced: true,
            (int)Outputs,
            forceGeneral: true,
            momentum: model
        );
        var u = ops.Basis;
        var mom = ops.Momentum!;
        var refMom = reference.Momentum!;
        var identity = eye(Samples, dtype: ScalarType.Float64);
        var perp = identity - u.matmul(u.T);
        Tensor Lift(Tensor core) => u.matmul(core).matmul(u.T);
        void Close(Tensor expected, Tensor actual, string what)
        {
            double error = (expected - actual).abs().max().item<double>();
            double scale = expected.abs().max().item<double>();
            Assert.True(error <= 1e-10 * Math.Max(scale, 1), $"{what}: max error {error:G3} (scale {scale:G3})");
        }
        Close(reference.Gramian, Lift(ops.Core.Gramian), "W_S");
        Close(reference.DiscreteGramian, Lift(ops.Core.DiscreteGramian), "W̃_S");
        Close(reference.Displacement, Lift(ops.Core.Displacement), "D");
        Close(reference.Transfer, ops.Core.Transfer.matmul(u.T), "G_Q");
        Close(reference.Propagator, perp + Lift(ops.Core.Propagator), "P(T, s)");
        Close(refMom.Displacement, Lift(mom.Displacement) + mom.ComplementDisplacement * perp, "D_h");
        Close(refMom.Transfer, mom.Transfer.matmul(u.T), "G_h");
        Close(refMom.QueryTransfer, mom.QueryScale * eye(Queries, dtype: ScalarType.Float64), "G_hQ");
        long r = ops.Dimension;
        var zero = zeros(Samples, r, dtype: ScalarType.Float64);
        var blockU = cat([cat([u, zero], 1), cat([zero, u], 1)], 0); // diag(U, U)
        foreach (
            var (full, core, complement, what) in new[]
            {
                (refMom.Gramian, mom.Gramian, mom.ComplementGramian, "Ŵ"),
                (refMom.DiscreteGramian, mom.DiscreteGramian, mom.ComplementDiscreteGramian, "Ŵ̃"),
            }
        )
        {
            var lifted = blockU.matmul(core).matmul(blockU.T) + kron(complement, perp);
            var gh = TensorIndex.Slice(0, 2 * Samples);
            Close(full[gh, gh], lifted, what);
            Assert.Equal(0, full[TensorIndex.Slice(2 * Samples, null)].abs().max().item<double>(), 12);
        }
        Assert.Equal(reference.MaxRadius, ops.Core.MaxRadius, 10);
        foreach (var s in window)
            s.Dispose();
    }

    /// <summary>
    /// The dense ½-MSE momentum operators by mode maps (U = I, no complement) equal the augmented (g, h, h_Q)
    /// propagator's repeated squaring on full-rank kernels, every block and the largest one-step radius, traced and in
    /// the full output space (N = n·p, the kernel of sample-major rows).
    /// </summary>
    [Theory]
    [InlineData("heavy-ball", true)]
    [InlineData("adam", true)]
    [InlineData("adam", false)]
    public void DenseModeMapsEqualTheAugmentedPropagator(string kind, bool traced)
    {
        using var scope = NewDisposeScope();
        var g = new Generator(13);
        long rows = traced ? Samples : Samples * Outputs,
            queryRows = traced ? Queries : Queries * Outputs;
        Snapshot At(int step, double lr)
        {
            var x = randn(new[] { rows + queryRows, rows + 4 }, dtype: ScalarType.Float64, generator: g);
            var k = x.matmul(x.T) * (4.0 / rows);
            var us = randn(new[] { Samples, Outputs }, dtype: ScalarType.Float64, generator: g);
            var uq = randn(new[] { Queries, Outputs }, dtype: ScalarType.Float64, generator: g);
            var s = TensorIndex.Slice(0, rows);
            var q = TensorIndex.Slice(rows, null);
            return new Snapshot(step, lr, k[s, s], k[q, s], us, uq);
        }
        var window = new List<Snapshot> { At(0, 0.1), At(200, 0.08), At(450, 0.1), At(700, 0.1) };
        var model = Model(kind);
        using var modes = PathOperators.Compute(window, LossKind.HalfMse, traced, (int)Outputs, momentum: model);
        using var general = PathOperators.Compute(
            window,
            LossKind.HalfMse,
            traced,
            (int)Outputs,
            forceGeneral: true,
            momentum: model
        );
        void Close(Tensor expected, Tensor actual, string what)
        {
            double error = (expected - actual).abs().max().item<double>();
            double scale = expected.abs().max().item<double>();
            Assert.True(error <= 1e-10 * Math.Max(scale, 1), $"{what}: max error {error:G3} (scale {scale:G3})");
        }
        Close(general.Gramian, modes.Gramian, "W_S");
        Close(general.DiscreteGramian, modes.DiscreteGramian, "W̃_S");
        Close(general.Displacement, modes.Displacement, "D");
        Close(general.Transfer, modes.Transfer, "G_Q");
        Close(general.Propagator, modes.Propagator, "P(T, s)");
        Close(general.Momentum!.Displacement, modes.Momentum!.Displacement, "D_h");
        Close(general.Momentum.Transfer, modes.Momentum.Transfer, "G_h");
        Close(general.Momentum.QueryTransfer, modes.Momentum.QueryTransfer, "G_hQ");
        Close(general.Momentum.Gramian, modes.Momentum.Gramian, "Ŵ");
        Close(general.Momentum.DiscreteGramian, modes.Momentum.DiscreteGramian, "Ŵ̃");
        Assert.True(general.MaxRadius < 1, $"the test needs a contracting window, radius {general.MaxRadius}");
        Assert.Equal(general.MaxRadius, modes.MaxRadius, 10);
        foreach (var s in window)
            s.Dispose();
    }
}
