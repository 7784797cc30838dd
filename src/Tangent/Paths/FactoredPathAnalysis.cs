using Tangent.Channel;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// Everything <c>tangent analyze</c> derives from factored operators (<see cref="FactoredOperators"/>), in
/// the coordinates of the common subspace U: the same quantities as <see cref="PathAnalysis"/> in O(N·R) memory. A
/// vector x [N, c] splits into z = Uᵀx and x⊥ = x − Uz; the operators act on z and leave x⊥ alone (W_S x⊥ =
/// 0, G_Q x⊥ = 0, P x⊥ = x⊥).
/// </summary>
public static class FactoredPathAnalysis
{
    /// <summary>Analyzes the window (½-MSE; first = s, last = T) with operators <paramref name="ops"/> integrated over
    /// it in <paramref name="operatorSeconds"/>; targets as in <see cref="PathAnalysis"/>.</summary>
    public static PathAnalysisResult Run(
        FactoredOperators ops,
        double operatorSeconds,
        IReadOnlyList<FactoredSnapshot> window,
        SnapshotIndex index,
        string source,
        Tensor trainTargets,
        Tensor? cleanTargets,
        Tensor testTargets,
        ThresholdKind thresholdKind,
        double thresholdValue,
        double pinvCutoff,
        CancellationToken cancel = default
    )
    {
        using var scope = NewDisposeScope();
        bool traced = index.Traced;
        var first = window[0];
        var last = window[^1];
        long n = first.Us.shape[0];
        double scale = traced ? 1.0 / index.Outputs : 1.0;
        Tensor Col(Tensor m) => PathOperators.AsColumns(m, traced);
        var approximations = ops.Approximations(window).ToList();
        approximations.AddRange(PathAnalysis.RecordedApproximations(index));
        if (index.Momentum is not null && ops.Momentum is null)
            approximations.Add(
                $"the run used {index.Momentum.Kind} momentum; these factored operators are momentum-free"
            );
        if (PathAnalysis.GateApproximation(index) is { } gate)
            approximations.Add(gate);
        approximations.Add("per-segment residuals are not computed for factored operators");

        var core = ops.Core;
        var gs = Col(Losses.OutputGradient(LossKind.HalfMse, first.Us, trainTargets));
        var zg = ops.Project(gs);
        var dUs = Col(last.Us - first.Us);
        var dUq = Col(last.Uq - first.Uq);

        using var split = PathAnalysis.Partition(core.Gramian, n, thresholdKind, thresholdValue);
        var vectors = split.Vectors; // in U's coordinates
        double[] eig = split.Values.data<double>().ToArray();
        var transfer = core.Transfer.matmul(vectors).Squared().sum(0L).sqrt().data<double>().ToArray();

        // Path coupling ΔU_Q ≈ G_Q D⁺ ΔU_S = Ĝ D̂⁺ Uᵀ ΔU_S (D = U D̂ Uᵀ, so D⁺ = U D̂⁺ Uᵀ).
        var (u, s, vh) = linalg.svd(core.Displacement, fullMatrices: false);
        var zdUs = ops.Project(dUs);
        Tensor Predict(Tensor transferHat, Tensor uu, Tensor ss, Tensor vvh, double cutoff) =>
            transferHat.matmul(PathAnalysis.PseudoInverseApplied(vvh, ss, uu.T.matmul(zdUs), cutoff));
        var predictedQ = Predict(core.Transfer, u, s, vh, pinvCutoff);
        var sweep = new[] { 1e-15, 1e-12, 1e-9, 1e-6, 1e-3 }
            .Select(c =>
            {
                var p = Predict(core.Transfer, u, s, vh, c);
                return (c, PathAnalysis.RelativeError(p, dUq), PathAnalysis.Correlation(p, dUq));
            })
            .ToList();

        var predictedS = ops.Basis.matmul(core.Displacement.matmul(zg));
        var predictedQDirect = core.Transfer.matmul(zg);
        double flow,
            discrete;
        if (ops.Momentum is { } mom)
        {
            // With the momentum images at s: ΔU_S = −(U(D̂ ĝ + D̂_h ĥ) + d⊥ h⊥),
            // ΔU_Q = −(Ĝ ĝ + Ĝ_h ĥ + γ h_Q).
            var (hS, hQ) = PathAnalysis.MomentumImages(first.Hs, first.Hq, first.Step, gs, dUq, traced, approximations);
            var zh = ops.Project(hS);
            var hPerp = hS - ops.Basis.matmul(zh);
            predictedS =
                predictedS + ops.Basis.matmul(mom.Displacement.matmul(zh)) + hPerp * mom.ComplementDisplacement;
            predictedQDirect = predictedQDirect + mom.Transfer.matmul(zh) + hQ * mom.QueryScale;
            var gPerp = gs - ops.Basis.matmul(zg);
            flow = mom.LossDecrease(zg, zh, gPerp, hPerp, discrete: false);
            discrete = mom.LossDecrease(zg, zh, gPerp, hPerp, discrete: true);
        }
        else
        {
            flow = (zg * core.Gramian.matmul(zg)).sum().item<double>();
            discrete = (zg * core.DiscreteGramian.matmul(zg)).sum().item<double>();
        }
        double directTrain = PathAnalysis.RelativeError(-predictedS, dUs);
        double directTest = PathAnalysis.RelativeError(-predictedQDirect, dUq);
        var unmodelled = ops.Momentum is null ? index.Momentum : null;
        if (PathAnalysis.DynamicsWarning(directTrain, directTest, unmodelled) is { } warning)
            approximations.Add(warning);

        double phiS = Losses.Loss(LossKind.HalfMse, first.Us, trainTargets).item<double>();
        double phiT = Losses.Loss(LossKind.HalfMse, last.Us, trainTargets).item<double>();

        // The kernels in U's coordinates (‖U K̂ Uᵀ‖ = ‖K̂‖ in any unitarily invariant norm), two at once.
        var firstKernel = Projected(ops.Basis, first);
        var distance = new double[window.Count];
        var velocity = new double[window.Count - 1];
        var previous = firstKernel;
        for (int i = 1; i < window.Count; i++)
        {
            var current = Projected(ops.Basis, window[i]);
            distance[i] = KernelDiagnostics.Distance(firstKernel, current);
            velocity[i - 1] =
                KernelDiagnostics.Distance(previous, current) / Math.Max(1, window[i].Step - window[i - 1].Step);
            if (!ReferenceEquals(previous, firstKernel))
                previous.Dispose();
            previous = current;
        }
        var lastKernel = previous;

        FourCells? cells = cleanTargets is null
            ? null
            : Cells(ops, Col(cleanTargets), Col(trainTargets - cleanTargets), vectors, split.ChannelSize, n);
        var frozen = Frozen(ops, firstKernel, window, Col(trainTargets), Col(testTargets), traced, scale, n);

        var spacing = new List<(int, int, double)>();
        for (int every = 1; every <= 16 && window.Count > 2; every *= 2)
        {
            cancel.ThrowIfCancellationRequested();
            var thinned = window.Where((_, i) => i % every == 0 || i == window.Count - 1).ToList();
            if (every > 1 && thinned.Count == spacing[^1].Item2)
                break;
            FactoredOperators? thin;
            try
            {
                thin =
                    every == 1
                        ? null
                        : FactoredOperators.Compute(
                            thinned,
                            traced,
                            index.Outputs,
                            ops.Basis,
                            cancel,
                            momentum: ops.Momentum?.Model
                        );
            }
            catch (InvalidOperationException)
            {
                spacing.Add((every, thinned.Count, double.NaN)); // expansive at this spacing (see PathAnalysis)
                break;
            }
            using var disposeThin = thin;
            var o = (thin ?? ops).Core;
            var (tu, ts, tvh) = linalg.svd(o.Displacement, fullMatrices: false);
            spacing.Add(
                (every, thinned.Count, PathAnalysis.RelativeError(Predict(o.Transfer, tu, ts, tvh, pinvCutoff), dUq))
            );
        }

        return new PathAnalysisResult
        {
            Start = first.Step,
            End = last.Step,
            Traced = traced,
            GramianEigenvalues = eig,
            Threshold = split.Threshold,
            ChannelDim = split.ChannelSize,
            TransferNorms = transfer,
            PredictedTestMotion = predictedQ.reshape(-1).data<double>().ToArray(),
            ActualTestMotion = dUq.reshape(-1).data<double>().ToArray(),
            PathCouplingCorrelation = PathAnalysis.Correlation(predictedQ, dUq),
            PathCouplingRelativeError = PathAnalysis.RelativeError(predictedQ, dUq),
            CutoffSweep = sweep,
            DirectTrainRelativeError = directTrain,
            DirectTestRelativeError = directTest,
            LossDecrease = phiS - phiT,
            LossPredictedFlow = flow,
            LossPredictedDiscrete = discrete,
            KernelDriftFrobenius = KernelDiagnostics.DriftFrobenius(firstKernel, lastKernel),
            KernelDriftOperator = KernelDiagnostics.DriftOperator(firstKernel, lastKernel),
            KernelDistanceFromStart = distance,
            KernelVelocity = velocity,
            SnapshotSteps = window.Select(w => w.Step).ToArray(),
            AlignmentStart = KernelDiagnostics.CenteredAlignment(first.Vectors, first.Values, Col(trainTargets)),
            AlignmentEnd = KernelDiagnostics.CenteredAlignment(last.Vectors, last.Values, Col(trainTargets)),
            GramianRanks = KernelDiagnostics.EffectiveRanks(eig),
            KernelRanks = KernelDiagnostics.EffectiveRanks(first.Values.data<double>().ToArray()),
            Cells = cells,
            Frozen = frozen,
            SpacingConvergence = spacing,
            OperatorSeconds = operatorSeconds,
            MaxPropagatorRadius = (core.MaxRadius, core.MaxRadiusStep),
            Approximations = approximations,
            Dynamics = ops.Momentum?.Model.Kind is { } kind ? $"{kind} momentum" : "momentum-free",
            LowRank = Summary(ops, window, source),
        };
    }

    /// <summary>The certificate of the window: the worst snapshot's bound and capture against λ⋆_K.</summary>
    public static LowRankSummary Summary(FactoredOperators ops, IReadOnlyList<FactoredSnapshot> window, string source)
    {
        double level = ops.KernelThreshold / FactoredOperators.CaptureFactor;
        bool Captured(FactoredSnapshot w) =>
            w.Certificate.LastKept <= level || (source == "truncation" && w.Rank == w.Spectrum.Length);
        // Truncating a dense kernel at its full rank is exact, so that rank always captures the channel.
        var needed = window
            .Select(w => w.RankReaching(level) ?? (source == "truncation" ? w.Spectrum.Length : null))
            .ToList();
        return new LowRankSummary(
            source,
            window.Max(w => w.Rank),
            ops.Dimension,
            ops.KernelThreshold,
            window.Max(w => w.Certificate.ErrorBound),
            window.Max(w => w.Certificate.ErrorBound / Math.Max(1e-300, w.Spectrum.Length > 0 ? w.Spectrum[0] : 1)),
            window.Max(w => w.Certificate.LastKept),
            window.Count(w => !Captured(w)),
            needed.Any(k => k is null) ? null : needed.Max(),
            ops.SnapshotDirections,
            ops.FlowCutoff,
            ops.DiscardedFlow
        );
    }

    /// <summary>K̂ = Ṽ Λ Ṽᵀ with Ṽ = Uᵀ V: a snapshot's kernel in U's coordinates.</summary>
    private static Tensor Projected(Tensor basis, FactoredSnapshot w)
    {
        var vt = basis.T.matmul(w.Vectors);
        return (vt * w.Values).matmul(vt.T);
    }

    /// <summary>The four cells in U's coordinates: shares against the whole label vectors (their part outside U is
    /// reservoir), test effects through Ĝ (G_Q is zero outside U).</summary>
    private static FourCells Cells(
        FactoredOperators ops,
        Tensor clean,
        Tensor noise,
        Tensor vectors,
        int channel,
        long n
    )
    {
        var vc = vectors[TensorIndex.Colon, TensorIndex.Slice(0, channel)];
        double Share(Tensor part, Tensor whole)
        {
            double w = whole.Squared().sum().item<double>();
            return w == 0 ? 0 : part.Squared().sum().item<double>() / w;
        }
        double Effect(Tensor coordinates) => ops.Core.Transfer.matmul(coordinates / n).norm().item<double>();
        var zc = ops.Project(clean);
        var zn = ops.Project(noise);
        var cc = vc.matmul(vc.T.matmul(zc));
        var nc = vc.matmul(vc.T.matmul(zn));
        double cleanChannel = Share(cc, clean),
            noiseChannel = Share(nc, noise);
        return new FourCells(
            cleanChannel,
            1 - cleanChannel,
            noiseChannel,
            1 - noiseChannel,
            Effect(cc),
            Effect(zc - cc),
            Effect(nc),
            Effect(zn - nc)
        );
    }

    /// <summary>The frozen-kernel prediction from the first snapshot (THEORY §7), with the residual's part outside U
    /// held fixed (K̃ does not move it).</summary>
    private static FrozenKernelPrediction Frozen(
        FactoredOperators ops,
        Tensor kernel,
        IReadOnlyList<FactoredSnapshot> window,
        Tensor y,
        Tensor yq,
        bool traced,
        double scale,
        long n
    )
    {
        var first = window[0];
        Tensor Col(Tensor m) => PathOperators.AsColumns(m, traced);
        var us = Col(first.Us);
        var residual = us - y;
        var zr = ops.Project(residual);
        double outside = residual.Squared().sum().item<double>() - zr.Squared().sum().item<double>();
        var vt = ops.Basis.T.matmul(first.Vectors);
        var kqs = first.QueryFactor.matmul(vt.T);
        var zy = ops.Project(y);
        using var dynamics = new LinearizedDynamics(
            kernel * scale,
            kqs * scale,
            ops.Project(us),
            Col(first.Uq),
            zy,
            first.LearningRate,
            n
        );
        long count = y.numel();
        return FrozenKernelPrediction.Of(
            dynamics,
            window.Select(w => w.Step).ToArray(),
            first.Step,
            t => ((dynamics.TrainOutputs(t) - zy).Squared().sum().item<double>() + Math.Max(0, outside)) / count,
            window.Select(w => Col(w.Us)).ToList(),
            window.Select(w => Col(w.Uq)).ToList(),
            y,
            yq
        );
    }
}
