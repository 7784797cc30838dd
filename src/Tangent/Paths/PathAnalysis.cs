using Tangent.Channel;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>Everything <c>tangent analyze</c> derives from the operators of one window.</summary>
public static class PathAnalysis
{
    /// <summary>Relative error of the direct motion checks above which the report warns that the dynamics are not
    /// modelled (a few percent: a frozen-kernel model of a lazy run misses by well under 1 %).</summary>
    public const double DynamicsWarningLevel = 0.05;

    /// <summary>Operator rows (N) up to which each segment's own prediction is checked against its recorded motion:
    /// it integrates every segment a second time, cheap at this size and doubling a dataset-scale analysis.</summary>
    public const int MaxSegmentResidualRows = 1024;

    /// <summary>
    /// Analyzes the window <paramref name="window"/> (snapshots, first = s, last = T) of a run trained on targets
    /// <paramref name="trainTargets"/> with clean part <paramref name="cleanTargets"/> (null when no noise was
    /// injected) and test targets <paramref name="testTargets"/>.
    /// </summary>
    public static PathAnalysisResult Run(
        IReadOnlyList<Snapshot> window,
        SnapshotIndex index,
        Tensor trainTargets,
        Tensor? cleanTargets,
        Tensor testTargets,
        ThresholdKind thresholdKind,
        double thresholdValue,
        double pinvCutoff,
        CancellationToken cancel = default
    )
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var ops = PathOperators.Compute(
            window,
            index.Loss,
            index.Traced,
            index.Outputs,
            cancel: cancel,
            momentum: index.Momentum
        );
        return Run(
            ops,
            clock.Elapsed.TotalSeconds,
            window,
            index,
            trainTargets,
            cleanTargets,
            testTargets,
            thresholdKind,
            thresholdValue,
            pinvCutoff,
            cancel
        );
    }

    /// <summary>As above, with operators already integrated over <paramref name="window"/> (in
    /// <paramref name="operatorSeconds"/>); <paramref name="gramianVectors"/>, when given, sees W_S's eigenvectors
    /// (descending, as columns; disposed after the call).</summary>
    public static PathAnalysisResult Run(
        PathOperators ops,
        double operatorSeconds,
        IReadOnlyList<Snapshot> window,
        SnapshotIndex index,
        Tensor trainTargets,
        Tensor? cleanTargets,
        Tensor testTargets,
        ThresholdKind thresholdKind,
        double thresholdValue,
        double pinvCutoff,
        CancellationToken cancel = default,
        Action<Tensor>? gramianVectors = null
    )
    {
        using var scope = NewDisposeScope();
        bool traced = index.Traced;
        var loss = index.Loss;
        var approximations = ops.Approximations.ToList();
        approximations.AddRange(RecordedApproximations(index));
        var first = window[0];
        var last = window[^1];
        long n = first.Us.shape[0];
        Tensor Col(Tensor m) => PathOperators.AsColumns(m, traced);

        var gs = Col(Losses.OutputGradient(loss, first.Us, trainTargets));
        var dUs = Col(last.Us - first.Us);
        var dUq = Col(last.Uq - first.Uq);

        // Spectrum of W_S and the partition.
        using var split = Partition(ops.Gramian, n, thresholdKind, thresholdValue);
        var vectors = split.Vectors;
        double[] eig = split.Values.data<double>().ToArray();
        double threshold = split.Threshold;
        int channel = split.ChannelSize;
        var transfer = ops.Transfer.matmul(vectors).Squared().sum(0L).sqrt().data<double>().ToArray();

        gramianVectors?.Invoke(vectors);

        // Path coupling: ΔU_Q ≈ G_Q D⁺ ΔU_S, with a relative singular-value cutoff for D⁺ (applied to ΔU_S,
        // never formed: D⁺ would cost an N³ product per cutoff).
        var (u, s, vh) = linalg.svd(ops.Displacement, fullMatrices: false);
        var uTdUs = u.T.matmul(dUs);
        (double, double) Coupling(double cutoff)
        {
            var predicted = ops.Transfer.matmul(PseudoInverseApplied(vh, s, uTdUs, cutoff));
            return (RelativeError(predicted, dUq), Correlation(predicted, dUq));
        }
        var predictedQ = ops.Transfer.matmul(PseudoInverseApplied(vh, s, uTdUs, pinvCutoff));
        var sweep = new[] { 1e-15, 1e-12, 1e-9, 1e-6, 1e-3 }
            .Select(c =>
            {
                var (e, r) = Coupling(c);
                return (c, e, r);
            })
            .ToList();

        // Direct predictions from the output gradient at s (and, with momentum, the momentum images at s):
        // ΔU_S = −(D g(s) + D_h h_S), ΔU_Q = −(G_Q g(s) + G_h h_S + G_hQ h_Q).
        var predictedS = ops.Displacement.matmul(gs);
        var predictedQDirect = ops.Transfer.matmul(gs);
        double flow,
            discrete;
        if (ops.Momentum is { } mom)
        {
            var (hS, hQ) = MomentumImages(first.Hs, first.Hq, first.Step, gs, dUq, traced, approximations);
            predictedS = predictedS + mom.Displacement.matmul(hS);
            predictedQDirect = predictedQDirect + mom.Transfer.matmul(hS) + mom.QueryTransfer.matmul(hQ);
            var state = MomentumStart.State(gs, hS, hQ, hQ.shape[0]);
            flow = (state * mom.Gramian.matmul(state)).sum().item<double>();
            discrete = (state * mom.DiscreteGramian.matmul(state)).sum().item<double>();
        }
        else
        {
            flow = (gs * ops.Gramian.matmul(gs)).sum().item<double>();
            discrete = (gs * ops.DiscreteGramian.matmul(gs)).sum().item<double>();
        }
        double directTrain = RelativeError(-predictedS, dUs);
        double directTest = RelativeError(-predictedQDirect, dUq);
        if (DynamicsWarning(directTrain, directTest, ops.Momentum is null ? index.Momentum : null) is { } warning)
            approximations.Add(warning);
        if (ops.Displacement.shape[0] > MaxSegmentResidualRows)
            approximations.Add(
                $"per-segment residuals not computed above {MaxSegmentResidualRows} operator rows (they integrate "
                    + "every segment a second time)"
            );
        if (GateApproximation(index) is { } gate)
            approximations.Add(gate);
        if (first.Kss.norm().item<double>() <= 1e-10 * last.Kss.norm().item<double>())
            approximations.Add(
                $"the window's first kernel (step {first.Step}) is numerically zero (SnrAdamW's first step is gated "
                    + "off), so the kernel drift relative to it is not a measure: start the window at a later snapshot"
            );

        // Loss identity.
        double phiS = Losses.Loss(loss, first.Us, trainTargets).item<double>();
        double phiT = Losses.Loss(loss, last.Us, trainTargets).item<double>();

        // Kernel drift, velocity, alignment, ranks.
        var distance = window.Select(w => KernelDiagnostics.Distance(first.Kss, w.Kss)).ToArray();
        var velocity = window
            .Zip(window.Skip(1), (a, b) => KernelDiagnostics.Distance(a.Kss, b.Kss) / Math.Max(1, b.Step - a.Step))
            .ToArray();
        var kernelEig = linalg.eigvalsh(first.Kss).data<double>().ToArray();

        FourCells? cells = cleanTargets is null
            ? null
            : Cells(Col(cleanTargets), Col(trainTargets - cleanTargets), vectors, channel, ops.Transfer, n);
        FrozenKernelPrediction? frozen =
            loss == LossKind.HalfMse ? Frozen(window, trainTargets, testTargets, traced, index.Outputs) : null;

        // Convergence in the snapshot spacing: operators from every 2nd, 4th, … snapshot (ends kept).
        var spacing = new List<(int, int, double)>();
        for (int every = 1; every <= 16 && window.Count > 2; every *= 2)
        {
            var thinned = window.Where((_, i) => i % every == 0 || i == window.Count - 1).ToList();
            if (every > 1 && thinned.Count == spacing[^1].Item2)
                break;
            PathOperators? thinOps;
            try
            {
                thinOps =
                    every == 1
                        ? null
                        : PathOperators.Compute(
                            thinned,
                            loss,
                            traced,
                            index.Outputs,
                            cancel: cancel,
                            momentum: ops.Momentum?.Model
                        );
            }
            catch (InvalidOperationException)
            {
                // The frozen-kernel propagator over the thinned (longer) segments is expansive: at this spacing the
                // operators do not exist, which is the answer to "does the spacing matter" (NaN in the table).
                spacing.Add((every, thinned.Count, double.NaN));
                break;
            }
            using var disposeThin = thinOps;
            var o = thinOps ?? ops;
            var (tu, ts, tvh) = linalg.svd(o.Displacement, fullMatrices: false);
            var pred = o.Transfer.matmul(PseudoInverseApplied(tvh, ts, tu.T.matmul(dUs), pinvCutoff));
            spacing.Add((every, thinned.Count, RelativeError(pred, dUq)));
        }

        return new PathAnalysisResult
        {
            Start = first.Step,
            End = last.Step,
            Traced = traced,
            GramianEigenvalues = eig,
            Threshold = threshold,
            ChannelDim = channel,
            TransferNorms = transfer,
            PredictedTestMotion = predictedQ.reshape(-1).data<double>().ToArray(),
            ActualTestMotion = dUq.reshape(-1).data<double>().ToArray(),
            PathCouplingCorrelation = Correlation(predictedQ, dUq),
            PathCouplingRelativeError = RelativeError(predictedQ, dUq),
            CutoffSweep = sweep,
            DirectTrainRelativeError = directTrain,
            DirectTestRelativeError = directTest,
            LossDecrease = phiS - phiT,
            LossPredictedFlow = flow,
            LossPredictedDiscrete = discrete,
            KernelDriftFrobenius = KernelDiagnostics.DriftFrobenius(first.Kss, last.Kss),
            KernelDriftOperator = KernelDiagnostics.DriftOperator(first.Kss, last.Kss),
            KernelDistanceFromStart = distance,
            KernelVelocity = velocity,
            SnapshotSteps = window.Select(w => w.Step).ToArray(),
            AlignmentStart = KernelDiagnostics.CenteredAlignment(first.Kss, Col(trainTargets)),
            AlignmentEnd = KernelDiagnostics.CenteredAlignment(last.Kss, Col(trainTargets)),
            GramianRanks = KernelDiagnostics.EffectiveRanks(eig),
            KernelRanks = KernelDiagnostics.EffectiveRanks(kernelEig),
            Cells = cells,
            Frozen = frozen,
            SpacingConvergence = spacing,
            OperatorSeconds = operatorSeconds,
            MaxPropagatorRadius = (ops.MaxRadius, ops.MaxRadiusStep),
            Approximations = approximations,
            SegmentResiduals =
                ops.Displacement.shape[0] <= MaxSegmentResidualRows
                    ? SegmentResiduals(window, index, trainTargets, ops.Momentum?.Model, cancel)
                    : [],
            Dynamics = ops.Momentum?.Model.Kind is { } kind ? $"{kind} momentum" : "momentum-free",
        };
    }

    /// <summary>The momentum images (h_S, h_Q) at the window start as operator columns, shaped like the gradient
    /// <paramref name="gs"/> and the test motion <paramref name="dUq"/>; zeros (and a line in
    /// <paramref name="approximations"/> after step 0) when the snapshot has none.</summary>
    internal static (Tensor Hs, Tensor Hq) MomentumImages(
        Tensor? hs,
        Tensor? hq,
        int step,
        Tensor gs,
        Tensor dUq,
        bool traced,
        List<string> approximations
    )
    {
        if (hs is null && step > 0)
            approximations.Add($"the momentum at the window start (step {step}) was not recorded: taken as zero");
        return (
            hs is null ? zeros_like(gs) : PathOperators.AsColumns(hs, traced),
            hq is null ? zeros_like(dUq) : PathOperators.AsColumns(hq, traced)
        );
    }

    /// <summary>What a SnrAdamW run's kernels hold frozen (null for other runs).</summary>
    internal static string? GateApproximation(SnapshotIndex index) =>
        index.Optimizer == OptimizerKind.SnrAdamW && index.Momentum is not null
            ? "SnrAdamW: each snapshot's kernel folds in that step's gate (M = q ⊙ 1/(√v̂ + ε)), held frozen "
                + "until the next snapshot like M itself, although q changes every step"
            : null;

    /// <summary>What the recording itself approximates: a training subset S′ (Monte Carlo), a query subset Q′
    /// (exact for its points), and weight decay (its output motion is not modelled).</summary>
    internal static IEnumerable<string> RecordedApproximations(SnapshotIndex index)
    {
        if (index.TrainIndices is not null)
            yield return $"training subset S′ of {index.TrainIndices.Count} points treated as a uniform sample of S "
                + "(K_S′S g_S ≈ K_S′S′ g_S′, B = I/n′): a Monte-Carlo approximation";
        if (index.QueryIndices is not null)
            yield return $"query subset Q′ of {index.QueryIndices.Count} points (exact for those points)";
        if (index.WeightDecay > 0)
            yield return $"weight decay {index.WeightDecay:G3}: its output motion (η·wd·J w per step) is not "
                + "modelled";
    }

    /// <summary>The channel split of W_S: λ ≥ τ·λ_max (relative), λ ≥ (n/2)(1 − e⁻²) (λ⋆) or λ ≥ v
    /// (absolute).</summary>
    internal static SpectralPartition Partition(Tensor gramian, long n, ThresholdKind kind, double value) =>
        kind switch
        {
            ThresholdKind.Relative => SpectralPartition.Of(gramian, value),
            ThresholdKind.LambdaStar => SpectralPartition.OfAbsolute(gramian, n / 2.0 * (1 - Math.Exp(-2))),
            _ => SpectralPartition.OfAbsolute(gramian, value),
        };

    /// <summary>D⁺ x from D = U S Vᵀ and Uᵀx: V S⁺ (Uᵀ x), singular values below
    /// <paramref name="cutoff"/>·s₁ dropped.</summary>
    internal static Tensor PseudoInverseApplied(Tensor vh, Tensor s, Tensor uTx, double cutoff)
    {
        var keep = s.gt(cutoff * s[0].item<double>());
        var inv = where(keep, 1.0 / where(keep, s, ones_like(s)), zeros_like(s));
        return vh.T.matmul(inv.unsqueeze(1) * uTx);
    }

    /// <summary>The warning that the direct motion checks miss by more than <see cref="DynamicsWarningLevel"/>
    /// (null when they do not); <paramref name="unmodelled"/> is the run's momentum when the operators ignore
    /// it.</summary>
    internal static string? DynamicsWarning(double directTrain, double directTest, MomentumModel? unmodelled) =>
        directTrain > DynamicsWarningLevel || directTest > DynamicsWarningLevel
            ? "WARNING: the direct motion checks miss (train ‖−D g(s) − ΔU_S‖/‖ΔU_S‖ = "
                + $"{directTrain:P1}, test "
                + $"{directTest:P1}): the model of the dynamics does not describe this window, so path coupling "
                + "alone is no evidence for it"
                + (
                    unmodelled is not null
                        ? $" (the run used {unmodelled.Kind} momentum; these operators are momentum-free)"
                        : ""
                )
            : null;

    /// <summary>
    /// Each segment's own prediction against its recorded motion (see
    /// <see cref="PathAnalysisResult.SegmentResiduals"/>): where the model of the dynamics breaks, in time.
    /// </summary>
    private static List<(int, int, double, double)> SegmentResiduals(
        IReadOnlyList<Snapshot> window,
        SnapshotIndex index,
        Tensor trainTargets,
        MomentumModel? momentum,
        CancellationToken cancel
    )
    {
        var rows = new List<(int, int, double, double)>();
        bool traced = index.Traced;
        Tensor Col(Tensor m) => PathOperators.AsColumns(m, traced);
        for (int k = 0; k + 1 < window.Count; k++)
        {
            using var scope = NewDisposeScope();
            var (a, b) = (window[k], window[k + 1]);
            PathOperators ops;
            try
            {
                ops = PathOperators.Compute(
                    [a, b],
                    index.Loss,
                    traced,
                    index.Outputs,
                    cancel: cancel,
                    momentum: momentum
                );
            }
            catch (InvalidOperationException)
            {
                rows.Add((a.Step, b.Step, double.NaN, double.NaN));
                continue;
            }
            using var _ = ops;
            var g = Col(Losses.OutputGradient(index.Loss, a.Us, trainTargets));
            var ps = ops.Displacement.matmul(g);
            var pq = ops.Transfer.matmul(g);
            if (ops.Momentum is { } mom && a.Hs is not null && a.Hq is not null)
            {
                ps = ps + mom.Displacement.matmul(Col(a.Hs));
                pq = pq + mom.Transfer.matmul(Col(a.Hs)) + mom.QueryTransfer.matmul(Col(a.Hq));
            }
            double Residual(Tensor predicted, Tensor before, Tensor after)
            {
                var motion = Col(after - before);
                double resolution = OutputResolution * after.norm().item<double>();
                return (predicted - motion).norm().item<double>() / Math.Max(resolution, motion.norm().item<double>());
            }
            rows.Add((a.Step, b.Step, Residual(-ps, a.Us, b.Us), Residual(-pq, a.Uq, b.Uq)));
        }
        return rows;
    }

    private static FourCells Cells(Tensor clean, Tensor noise, Tensor vectors, int channel, Tensor transfer, long n)
    {
        var vc = vectors[TensorIndex.Colon, TensorIndex.Slice(0, channel)];
        Tensor Channel(Tensor y) => vc.matmul(vc.T.matmul(y));
        double Share(Tensor part, Tensor whole)
        {
            double w = whole.Squared().sum().item<double>();
            return w == 0 ? 0 : part.Squared().sum().item<double>() / w;
        }
        double Effect(Tensor labelPart) => transfer.matmul(labelPart / n).norm().item<double>();
        var cc = Channel(clean);
        var cr = clean - cc;
        var nc = Channel(noise);
        var nr = noise - nc;
        return new FourCells(
            Share(cc, clean),
            Share(cr, clean),
            Share(nc, noise),
            Share(nr, noise),
            Effect(cc),
            Effect(cr),
            Effect(nc),
            Effect(nr)
        );
    }

    /// <summary>
    /// Linearized network from the window's start s (THEORY §7), per snapshot step t: U_S(t) = Y + A^{t−s}(U_S(s)
    /// − Y), U_Q(t) = U_Q(s) − K_QS V diag((η/n) Σ_{j&lt;t−s} r^j) Vᵀ (U_S(s) − Y), A = I − ηK/n.
    /// </summary>
    private static FrozenKernelPrediction Frozen(
        IReadOnlyList<Snapshot> window,
        Tensor y,
        Tensor yq,
        bool traced,
        int outputs
    )
    {
        var first = window[0];
        double scale = traced ? 1.0 / outputs : 1.0;
        Tensor Col(Tensor m) => PathOperators.AsColumns(m, traced);
        using var dynamics = new LinearizedDynamics(
            first.Kss * scale,
            first.Kqs * scale,
            Col(first.Us),
            Col(first.Uq),
            Col(y),
            first.LearningRate,
            first.Us.shape[0]
        );
        var yc = Col(y);
        return FrozenKernelPrediction.Of(
            dynamics,
            window.Select(w => w.Step).ToArray(),
            first.Step,
            t => (dynamics.TrainOutputs(t) - yc).Squared().mean().item<double>(),
            window.Select(w => Col(w.Us)).ToList(),
            window.Select(w => Col(w.Uq)).ToList(),
            yc,
            Col(yq)
        );
    }

    /// <summary>The smallest output motion a segment residual is measured against, relative to ‖U‖: float64 rounds
    /// outputs of size ‖U‖ at about 1e-16 ‖U‖ per entry, so a smaller recorded motion is not a
    /// measurement.</summary>
    private const double OutputResolution = 1e-13;

    /// <summary>‖a − b‖ / ‖b‖.</summary>
    public static double RelativeError(Tensor predicted, Tensor actual) =>
        (predicted - actual).norm().item<double>() / Math.Max(1e-300, actual.norm().item<double>());

    /// <summary>Pearson correlation of all entries.</summary>
    public static double Correlation(Tensor a, Tensor b)
    {
        var x = a.reshape(-1) - a.mean();
        var y = b.reshape(-1) - b.mean();
        double d = x.norm().item<double>() * y.norm().item<double>();
        return d == 0 ? 0 : (x * y).sum().item<double>() / d;
    }
}
