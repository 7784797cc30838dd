using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// The operators of THEORY §2 over a window [s, T] of a recorded run, in float64, with the kernel held frozen between
/// snapshots:
/// <list type="bullet">
/// <item>W_S = η Σ_τ P(τ,s)ᵀ K_τ P(τ,s) — cumulative dissipation Gramian (flow form);
/// <see cref="DiscreteGramian"/> uses K − ½ηKBK, the form whose loss identity is exact step by step for a quadratic
/// loss;</item>
/// <item>D = η Σ_τ K_τ P(τ,s) — training displacement, predicted ΔU_S = −D g(s);</item>
/// <item>G_Q = η Σ_τ K_QS,τ P(τ,s) — test transfer, predicted ΔU_Q = −G_Q g(s);</item>
/// <item>P(T,s) — the propagator of the output gradient.</item>
/// </list>
/// Full mode: N = n·p rows (sample-major). Traced mode: N = n, with the per-output kernel taken as K_tr/p (exact when
/// K = K_scalar ⊗ I_p; an approximation otherwise), acting on each output column.
/// </summary>
public sealed record PathOperators(
    Tensor Gramian,
    Tensor DiscreteGramian,
    Tensor Displacement,
    Tensor Transfer,
    Tensor Propagator,
    int Start,
    int End,
    int Segments,
    IReadOnlyList<string> Approximations
) : IDisposable
{
    /// <summary>Largest spectral radius of a segment's one-step propagator I − ηBK (above 1: the linearized dynamics
    /// expand).</summary>
    public double MaxRadius { get; init; }

    /// <summary>What traced mode approximates, as both integrators report it.</summary>
    internal const string TracedApproximation =
        "traced mode: per-output kernel K_tr/p on every output (exact when K = K_scalar ⊗ I_p)";

    /// <summary>Start step of the segment with <see cref="MaxRadius"/>.</summary>
    public int MaxRadiusStep { get; init; }

    /// <summary>The momentum-start blocks and augmented Gramians when the operators model momentum (null: the
    /// momentum-free operators of w ← w − ηMJᵀg).</summary>
    public MomentumStart? Momentum { get; init; }

    /// <summary>
    /// Integrates the frozen segments between consecutive snapshots of <paramref name="window"/> (first = s, last =
    /// T): with <paramref name="momentum"/>, the momentum-aware operators of <see cref="MomentumOperators"/>;
    /// without, the momentum-free ones (w ← w − ηMJᵀg). ½-MSE takes the closed forms in each segment's kernel
    /// eigenbasis unless <paramref name="forceGeneral"/> asks for the general integrators (the output Hessian's
    /// segment maps by repeated squaring). <paramref name="prefix"/>, when given, sees the flow-form
    /// Gramian W_S(s, t_k) of every prefix of the window, after each segment (momentum-free operators only), with t_k
    /// the segment's end step; the tensor is disposed after the call.
    /// </summary>
    public static PathOperators Compute(
        IReadOnlyList<Snapshot> window,
        LossKind loss,
        bool traced,
        int outputs,
        bool forceGeneral = false,
        CancellationToken cancel = default,
        MomentumModel? momentum = null,
        Action<int, Tensor>? prefix = null
    )
    {
        if (window.Count < 2)
            throw new ArgumentException("a window needs at least two snapshots (its start and its end)");
        if (traced && loss == LossKind.CrossEntropy)
            throw new ArgumentException("traced operators are defined for ½-MSE only");
        if (momentum is not null && prefix is not null)
            throw new ArgumentException("prefix Gramians are computed for the momentum-free operators only");
        if (momentum is not null)
            return loss == LossKind.HalfMse && !forceGeneral
                ? MomentumOperators.HalfMse(window, traced, outputs, momentum, cancel)
                : MomentumOperators.Compute(window, loss, traced, outputs, momentum, cancel);
        return Integrate(
            window.Select(w => (w.Step, w.LearningRate, w.Us)).ToList(),
            k => (window[k].Kss, window[k].Kqs),
            window[0].Kss.shape[0],
            window[0].Kqs.shape[0],
            loss,
            traced,
            outputs,
            forceGeneral,
            cancel,
            prefix
        );
    }

    /// <summary>
    /// The momentum-free operators over snapshot points (step, learning rate, U_S) whose kernels (K_SS [N × N], K_QS
    /// [M × N]) <paramref name="kernels"/> gives one segment at a time, inside that segment's dispose scope: recorded
    /// kernels, or <see cref="FactoredOperators"/>' projections made on demand (N = R), so that no more than one is
    /// held. B = I/n with n the samples of U_S.
    /// </summary>
    internal static PathOperators Integrate(
        IReadOnlyList<(int Step, double LearningRate, Tensor Us)> window,
        Func<int, (Tensor Kss, Tensor Kqs)> kernels,
        long rows,
        long queryRows,
        LossKind loss,
        bool traced,
        int outputs,
        bool forceGeneral,
        CancellationToken cancel,
        Action<int, Tensor>? prefix
    )
    {
        using var scope = NewDisposeScope();
        double kernelScale = traced ? 1.0 / outputs : 1.0;
        long n = window[0].Us.shape[0];
        var w = zeros(new[] { rows, rows }, dtype: ScalarType.Float64);
        var wd = zeros_like(w);
        var d = zeros_like(w);
        var g = zeros(new[] { queryRows, rows }, dtype: ScalarType.Float64);
        var cumulative = eye(rows, dtype: ScalarType.Float64);
        double maxRadius = 0;
        int maxRadiusStep = window[0].Step;
        for (int k = 0; k + 1 < window.Count; k++)
        {
            cancel.ThrowIfCancellationRequested(); // between segments: one eigendecomposition each
            Native.Allocator.Trim(); // the last segment's heap-sized temporaries (N < 2,048): freed, still resident
            using var step = NewDisposeScope();
            var snap = window[k];
            long steps = window[k + 1].Step - snap.Step;
            double lr = snap.LearningRate;
            var (kssRaw, kqsRaw) = kernels(k);
            var kss = kssRaw * kernelScale;
            var kqs = kqsRaw * kernelScale;
            double radius;
            if (loss == LossKind.HalfMse && !forceGeneral)
            {
                radius = HalfMseSegment(kss, kqs, lr, n, steps, ref cumulative, w, wd, g);
            }
            else
            {
                using var segment = FrozenSegment.General(
                    kss,
                    Losses.OutputHessian(loss, snap.Us).to_type(ScalarType.Float64),
                    lr,
                    steps
                );
                radius = segment.Radius;
                var pt = cumulative.T;
                w.AddInPlace(pt.matmul(segment.Gramian).matmul(cumulative), lr);
                wd.AddInPlace(pt.matmul(segment.DiscreteGramian).matmul(cumulative), lr);
                var sumTimesP = segment.Sum.matmul(cumulative);
                d.AddInPlace(kss.matmul(sumTimesP), lr);
                g.AddInPlace(kqs.matmul(sumTimesP), lr);
                var previous = cumulative;
                cumulative = segment.Propagator.matmul(cumulative).MoveToOuterDisposeScope();
                previous.Dispose();
            }
            if (radius > maxRadius)
            {
                maxRadius = radius;
                maxRadiusStep = snap.Step;
            }
            if (
                !cumulative.isfinite().all().item<bool>()
                || !w.isfinite().all().item<bool>()
                || !g.isfinite().all().item<bool>()
            )
            {
                // The segment's own one-step radius: recomputing it from the output Hessian here multiplied the
                // full (n·p)² Hessian by a traced n × n kernel, a shape error that TorchSharp's matmul turns into
                // an abort.
                throw new InvalidOperationException(
                    $"the path operators overflowed in the segment starting at step {snap.Step} ({steps} steps): "
                        + "the one-step propagator I − ηBK has "
                        + $"spectral radius {radius:G3} > 1, so the linearized dynamics w ← w − ηMJᵀg diverge "
                        + "there. This happens with adaptive optimizers "
                        + "(M = 1/(√v̂ + ε) is huge where gradients are tiny, and momentum, which the operators "
                        + "ignore, is what keeps the real run stable); "
                        + "analyze a window where the run is closer to preconditioned gradient descent, or a run "
                        + "trained with GD/SGD"
                );
            }
            if (prefix is not null)
            {
                using var symmetric = (w + w.T).div(2);
                prefix(window[k + 1].Step, symmetric);
            }
        }
        if (loss == LossKind.HalfMse && !forceGeneral)
            d = (eye(rows, dtype: ScalarType.Float64) - cumulative) * (double)n; // D = n(I − P(T,s)) for ½-MSE
        var approximations = new List<string>
        {
            "kernel and output Hessian held frozen between snapshots (the snapshot spacing is the only "
                + "approximation for a frozen kernel)",
            "momentum-free operators (w ← w − ηMJᵀg): an optimizer's momentum is not modelled",
        };
        if (traced)
            approximations.Add(TracedApproximation);
        if (loss == LossKind.HalfMse && !forceGeneral)
            approximations.Add("½-MSE closed form per segment (eigendecomposition of K)");
        else
            approximations.Add("output Hessian B from the softmax at each snapshot; segments by repeated squaring");
        return new PathOperators(
            (w + w.T).div(2).MoveToOuterDisposeScope(),
            (wd + wd.T).div(2).MoveToOuterDisposeScope(),
            d.MoveToOuterDisposeScope(),
            g.MoveToOuterDisposeScope(),
            cumulative.MoveToOuterDisposeScope(),
            window[0].Step,
            window[^1].Step,
            window.Count - 1,
            approximations
        )
        {
            MaxRadius = maxRadius,
            MaxRadiusStep = maxRadiusStep,
        };
    }

    /// <summary>
    /// One frozen ½-MSE segment of k steps in the kernel's eigenbasis (K = VΛVᵀ, r = 1 − ηλ/n, X =
    /// Vᵀ P(t,s)): W += η Xᵀ diag(λ Σ_j r^{2j}) X, W̃ += η Xᵀ diag((λ − ηλ²/2n) Σ_j r^{2j}) X, G_Q +=
    /// η (K_QS V) diag(Σ_j r^j) X, P ← V diag(r^k) X — four N³ products and two M·N², against thirteen N³ for
    /// forming the segment's matrices first (<see cref="FrozenSegment.HalfMse"/>, the same closed form). D is not
    /// accumulated: for ½-MSE it telescopes to n(I − P(T,s)). Returns the one-step propagator's spectral radius.
    /// </summary>
    private static double HalfMseSegment(
        Tensor kss,
        Tensor kqs,
        double lr,
        long samples,
        long steps,
        ref Tensor cumulative,
        Tensor w,
        Tensor wd,
        Tensor g
    )
    {
        var k = kss.to_type(ScalarType.Float64);
        var (lambda, v) = linalg.eigh((k + k.T) / 2);
        var x = lambda * (lr / samples); // 1 − r
        var geometric = FrozenSegment.GeometricSum(x, steps);
        var geometric2 = FrozenSegment.GeometricSum(x * (2 - x), steps); // 1 − r² = x(2 − x)
        var projected = v.T.matmul(cumulative);
        var flow = (lambda * geometric2).unsqueeze(1);
        var discrete = ((lambda - lambda.Squared() * (lr / (2.0 * samples))) * geometric2).unsqueeze(1);
        w.AddInPlace(projected.T.matmul(projected * flow), lr);
        wd.AddInPlace(projected.T.matmul(projected * discrete), lr);
        g.AddInPlace((kqs.to_type(ScalarType.Float64).matmul(v) * geometric).matmul(projected), lr);
        var previous = cumulative;
        cumulative = (v * (1 - x).pow(steps)).matmul(projected).MoveToOuterDisposeScope();
        previous.Dispose(); // else every segment's P(τ, s) stays alive until the window ends
        return (1 - x).abs().max().item<double>();
    }

    /// <summary>A snapshot's outputs or targets [n, p] as operator columns: [n·p, 1] (full) or [n, p]
    /// (traced).</summary>
    public static Tensor AsColumns(Tensor matrix, bool traced) => traced ? matrix : matrix.reshape(-1, 1);

    /// <inheritdoc/>
    public void Dispose()
    {
        Gramian.Dispose();
        DiscreteGramian.Dispose();
        Displacement.Dispose();
        Transfer.Dispose();
        Propagator.Dispose();
        Momentum?.Dispose();
    }
}
