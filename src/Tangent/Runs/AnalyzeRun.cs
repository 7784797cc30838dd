using ScottPlot;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Runs;

/// <summary><c>tangent analyze RUN</c>: the path operators of a recorded run, their checks, figures and report section,
/// written into the run.</summary>
public static class AnalyzeRun
{
    /// <summary>Analyzes the run at <paramref name="runPath"/>; returns the analysis and the summary fields it
    /// added.</summary>
    /// <remarks><paramref name="cancel"/> is checked between path segments; a cancelled analysis writes
    /// nothing.</remarks>
    public static (PathAnalysisResult Result, List<KeyValuePair<string, object?>> Summary) Run(
        string runPath,
        AnalyzeOptions options,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        ConfigException.Require(
            Directory.Exists(runPath),
            "RUN",
            $"'{runPath}' does not exist",
            "pass a run directory of tangent train"
        );
        var info = RunDirectory.Inspect(runPath);
        ConfigException.Require(
            info.Command == "train" || File.Exists(SnapshotIndex.PathIn(runPath)),
            "RUN",
            $"'{runPath}' was made by 'tangent {info.Command}', which records no kernel snapshots",
            "analyze a run of tangent train"
        );
        ConfigException.Require(
            info.Status != RunStatus.Failed || !Checkpoint.Exists(runPath),
            "RUN",
            $"the run at '{runPath}' did not finish ({info.Error ?? "failed"})",
            $"resume it with 'tangent train --resume {runPath}', then analyze it"
        );
        ConfigException.Require(
            info.Status == RunStatus.Done,
            "RUN",
            $"the run at '{runPath}' is "
                + $"{info.Status.ToString().ToLowerInvariant()}{(info.Error is { } err ? $" ({err})" : "")}",
            "analyze a finished run (tangent train must have completed)"
        );
        string indexPath = SnapshotIndex.PathIn(runPath);
        ConfigException.Require(
            File.Exists(indexPath),
            "RUN",
            $"'{runPath}' has no kernel snapshots",
            "train with a \"record\" section in the config"
        );
        var index = SnapshotIndex.Read(runPath);
        ConfigException.Require(
            !(index.Traced && index.Loss == LossKind.CrossEntropy),
            "RUN",
            $"'{runPath}' recorded traced kernels under cross-entropy: instantaneous diagnostics, which do not close "
                + "the output dynamics (B couples outputs)",
            "record full kernels (record.traced: false) to analyze the path operators"
        );
        int s = options.Start ?? index.Steps[0],
            t = options.End ?? index.Steps[^1];
        ConfigException.Require(
            index.Steps.Contains(s) && index.Steps.Contains(t) && s < t,
            "--window",
            $"{s}:{t} is not a pair of recorded snapshot steps with s < T",
            "choose from the snapshot steps "
                + $"{string.Join(", ", index.Steps.Take(12))}{(index.Steps.Count > 12 ? ", …" : "")}"
        );

        var steps = index.Steps.Where(x => x >= s && x <= t).ToList();
        if (FactoredRank(runPath, index, options) is { } factored)
            return RunFactored(runPath, index, steps, factored.Rank, factored.Source, options, progress, cancel);
        MemoryBudget.Require(
            index.AnalysisMemory(index.Steps.Count(x => x >= s && x <= t), options.MomentumFree),
            options.SkipMemoryCheck
        );
        progress?.Report(new ProgressReport("loading", 0, $"snapshots {s}..{t}"));
        var snapshots = steps
            .Select(x => Snapshot.Read(runPath, x, index.LearningRates[index.Steps.IndexOf(x)]))
            .ToList();
        try
        {
            using var scope = NewDisposeScope();
            var y = Rows(Load(runPath, "Y_S"), index.TrainIndices);
            var clean = Rows(Load(runPath, "Y_S_clean"), index.TrainIndices);
            var yq = Rows(Load(runPath, "Y_Q"), index.QueryIndices);
            bool noisy = (y - clean).abs().max().item<double>() > 0;
            progress?.Report(new ProgressReport("operators", 0.2, $"{snapshots.Count - 1} segments"));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var ops = PathOperators.Compute(
                snapshots,
                index.Loss,
                index.Traced,
                index.Outputs,
                cancel: cancel,
                momentum: options.MomentumFree ? null : index.Momentum
            );
            double operatorSeconds = clock.Elapsed.TotalSeconds;
            progress?.Report(
                new ProgressReport(
                    "checks",
                    0.5,
                    "spectrum, path coupling, loss identity, four cells, frozen kernel, spacing"
                )
            );
            Tensor? gramianVectors = null;
            var result = PathAnalysis.Run(
                ops,
                operatorSeconds,
                snapshots,
                index,
                y,
                noisy ? clean : null,
                yq,
                options.Threshold,
                options.ThresholdValue,
                options.PinvCutoff,
                cancel,
                v => gramianVectors = v.detach().clone().DetachFromDisposeScope() // the analysis's scope ends first
            );
            using var ownedVectors = gramianVectors;
            cancel.ThrowIfCancellationRequested();
            double analysisSeconds = clock.Elapsed.TotalSeconds - operatorSeconds;
            progress?.Report(new ProgressReport("writing", 0.9, "arrays, figures, report"));
            string dir = options.DirectoryName(s, t, s == index.Steps[0] && t == index.Steps[^1]);
            var summary = Write(
                runPath,
                dir,
                result,
                d => WriteDense(d, ops, gramianVectors!),
                analysisSeconds,
                snapshots.Count - 1,
                snapshots,
                index,
                options
            );
            return (result, summary);
        }
        finally
        {
            foreach (var snap in snapshots)
                snap.Dispose();
        }
    }

    /// <summary>The rows <paramref name="indices"/> of <paramref name="t"/> (all rows when null): a recorded
    /// subset.</summary>
    internal static Tensor Rows(Tensor t, List<long>? indices) =>
        indices is null ? t : t.index_select(0, tensor(indices.ToArray()));

    /// <summary>The run's array <c>arrays/NAME.npy</c> as a float64 tensor.</summary>
    internal static Tensor Load(string run, string name) => Npy.ReadTensor(Path.Combine(run, "arrays", name + ".npy"));

    /// <summary>
    /// Whether and how the window is analyzed with factored operators: always for a run recorded with factored
    /// (Nyström) snapshots, at <c>--rank R</c> by truncating dense snapshots, and with <c>--rank auto</c> when the
    /// operators would have more than <see cref="AnalyzeOptions.DenseLimit"/> rows; null: dense.
    /// </summary>
    private static (int Rank, string Source)? FactoredRank(string runPath, SnapshotIndex index, AnalyzeOptions options)
    {
        long rows = (long)index.TrainSamples * (index.Traced ? 1 : index.Outputs);
        (int, string)? choice =
            index.Rank is not null || FactoredSnapshot.IsFactored(runPath, index.Steps[0])
                ? (index.Rank ?? 0, "nystrom")
            : options.Rank is { } r ? (r, "truncation")
            : options.AutoRank && rows > AnalyzeOptions.DenseLimit
                ? ((int)Math.Min(rows, AnalyzeOptions.AutoRankValue), "truncation")
            : null;
        if (choice is null)
            return null;
        ConfigException.Require(
            index.Loss == LossKind.HalfMse,
            "--rank",
            "factored operators are defined for ½-MSE (B = I/n keeps the kernels' span invariant); this run trained "
                + "with cross-entropy",
            "analyze it without --rank (dense operators)"
        );
        ConfigException.Require(
            options.Rank is null or >= 1,
            "--rank",
            $"must be at least 1, got {options.Rank}",
            "give a rank such as 256, or auto"
        );
        return choice;
    }

    /// <summary>The factored analysis of the window <paramref name="steps"/> (see <see cref="FactoredOperators"/>):
    /// recorded factored snapshots, or dense ones truncated to <paramref name="rank"/> one at a time.</summary>
    private static (PathAnalysisResult Result, List<KeyValuePair<string, object?>> Summary) RunFactored(
        string runPath,
        SnapshotIndex index,
        List<int> steps,
        int rank,
        string source,
        AnalyzeOptions options,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        bool truncating = source == "truncation";
        int memoryRank = truncating ? rank : index.Rank ?? rank;
        MemoryBudget.Require(
            index.FactoredAnalysisMemory(steps.Count, Math.Max(memoryRank, 1), truncating, options.MomentumFree),
            options.SkipMemoryCheck
        );
        double Lr(int step) => index.LearningRates[index.Steps.IndexOf(step)];
        double kernelThreshold = FactoredOperators.ThresholdOf(
            steps,
            steps.Select(Lr).ToList(),
            index.TrainSamples,
            index.Traced,
            index.Outputs,
            options.MomentumFree ? null : index.Momentum
        );
        var snapshots = new List<FactoredSnapshot>();
        try
        {
            foreach (int step in steps)
            {
                cancel.ThrowIfCancellationRequested();
                progress?.Report(
                    new ProgressReport("loading", 0.2 * snapshots.Count / steps.Count, $"snapshot {step}")
                );
                if (!truncating)
                {
                    snapshots.Add(FactoredSnapshot.Read(runPath, step, Lr(step)));
                    continue;
                }
                using var dense = Snapshot.Read(runPath, step, Lr(step));
                snapshots.Add(FactoredSnapshot.Truncate(dense, rank, kernelThreshold, FactoredOperators.CaptureFactor));
            }
            using var scope = NewDisposeScope();
            var y = Rows(Load(runPath, "Y_S"), index.TrainIndices);
            var clean = Rows(Load(runPath, "Y_S_clean"), index.TrainIndices);
            var yq = Rows(Load(runPath, "Y_Q"), index.QueryIndices);
            bool noisy = (y - clean).abs().max().item<double>() > 0;
            progress?.Report(new ProgressReport("operators", 0.2, $"{snapshots.Count - 1} factored segments"));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var ops = FactoredOperators.Compute(
                snapshots,
                index.Traced,
                index.Outputs,
                cancel: cancel,
                flowCutoff: options.FlowCutoff,
                momentum: options.MomentumFree ? null : index.Momentum
            );
            double operatorSeconds = clock.Elapsed.TotalSeconds;
            progress?.Report(new ProgressReport("checks", 0.5, "spectrum, path coupling, loss identity, cells"));
            var result = FactoredPathAnalysis.Run(
                ops,
                operatorSeconds,
                snapshots,
                index,
                source,
                y,
                noisy ? clean : null,
                yq,
                options.Threshold,
                options.ThresholdValue,
                options.PinvCutoff,
                cancel
            );
            cancel.ThrowIfCancellationRequested();
            double analysisSeconds = clock.Elapsed.TotalSeconds - operatorSeconds;
            progress?.Report(new ProgressReport("writing", 0.9, "arrays, figures, report"));
            int s = steps[0],
                t = steps[^1];
            var named = truncating ? options with { Rank = rank } : options;
            string dir = named.DirectoryName(s, t, s == index.Steps[0] && t == index.Steps[^1]);
            var summary = Write(
                runPath,
                dir,
                result,
                d => WriteFactored(d, ops, result.ChannelDim),
                analysisSeconds,
                snapshots.Count - 1,
                null,
                index,
                options
            );
            return (result, summary);
        }
        finally
        {
            foreach (var snap in snapshots)
                snap.Dispose();
        }
    }

    /// <summary>The dense operators' arrays.</summary>
    private static void WriteDense(string dir, PathOperators ops, Tensor gramianVectors)
    {
        Npy.Write(Path.Combine(dir, "W_S.npy"), ops.Gramian);
        Npy.Write(Path.Combine(dir, "W_S_discrete.npy"), ops.DiscreteGramian);
        Npy.Write(Path.Combine(dir, "D.npy"), ops.Displacement);
        Npy.Write(Path.Combine(dir, "G_Q.npy"), ops.Transfer);
        Npy.Write(Path.Combine(dir, "W_S_eigenvectors.npy"), gramianVectors); // descending, from the analysis
    }

    /// <summary>Eigenvectors of W_S written by a factored analysis: the channel and this many more.</summary>
    public const int FactoredEigenvectorsBeyondChannel = 100;

    /// <summary>The factored operators' arrays, O(N·k): the leading eigenvectors of W_S (the channel and
    /// <see cref="FactoredEigenvectorsBeyondChannel"/> more) in the output space, and the core operators in the
    /// coordinates of those eigenvectors' subspace is not written (its basis is N × R).</summary>
    private static void WriteFactored(string dir, FactoredOperators ops, int channel)
    {
        using var scope = NewDisposeScope();
        var (_, vectors) = linalg.eigh((ops.Core.Gramian + ops.Core.Gramian.T) / 2);
        long k = Math.Min(vectors.shape[1], channel + FactoredEigenvectorsBeyondChannel);
        var top = vectors.flip(1).narrow(1, 0, k);
        Npy.Write(Path.Combine(dir, "W_S_eigenvectors.npy"), ops.Basis.matmul(top));
        Npy.Write(Path.Combine(dir, "G_Q_on_eigenvectors.npy"), ops.Core.Transfer.matmul(top));
    }

    private static List<KeyValuePair<string, object?>> Write(
        string runPath,
        string name,
        PathAnalysisResult r,
        Action<string> writeOperators,
        double analysisSeconds,
        int segments,
        IReadOnlyList<Snapshot>? window,
        SnapshotIndex index,
        AnalyzeOptions options
    )
    {
        string dir = Path.Combine(runPath, name);
        writeOperators(dir);
        Npy.Write(Path.Combine(dir, "W_S_eigenvalues.npy"), r.GramianEigenvalues, r.GramianEigenvalues.Length);
        Npy.Write(Path.Combine(dir, "transfer_norms.npy"), r.TransferNorms, r.TransferNorms.Length);
        Npy.Write(Path.Combine(dir, "predicted_test_motion.npy"), r.PredictedTestMotion, r.PredictedTestMotion.Length);
        Npy.Write(Path.Combine(dir, "actual_test_motion.npy"), r.ActualTestMotion, r.ActualTestMotion.Length);

        var summary = new List<KeyValuePair<string, object?>>
        {
            new("analysis_directory", name),
            new("analysis_window", $"{r.Start}:{r.End}"),
            new("analysis_threshold", options.ThresholdText),
            new("analysis_pinv_cutoff", options.PinvCutoff),
            new("window_start", r.Start),
            new("window_end", r.End),
            new("segments", segments),
            new("traced", r.Traced),
            new("path_coupling_corr", r.PathCouplingCorrelation),
            new("path_coupling_rel_error", r.PathCouplingRelativeError),
            new("direct_train_motion_rel_error", r.DirectTrainRelativeError),
            new("direct_test_motion_rel_error", r.DirectTestRelativeError),
            new("dynamics", r.Dynamics),
            new("dynamics_warning", r.Approximations.Any(a => a.StartsWith("WARNING"))),
            new("segment_residual_train_max", MaxOrNull(r.SegmentResiduals.Select(x => x.Train))),
            new("segment_residual_test_max", MaxOrNull(r.SegmentResiduals.Select(x => x.Test))),
            new("loss_decrease", r.LossDecrease),
            new(
                "loss_identity_rel_error",
                Math.Abs(r.LossPredictedFlow - r.LossDecrease) / Math.Max(1e-300, Math.Abs(r.LossDecrease))
            ),
            new(
                "loss_identity_discrete_rel_error",
                Math.Abs(r.LossPredictedDiscrete - r.LossDecrease) / Math.Max(1e-300, Math.Abs(r.LossDecrease))
            ),
            new("kernel_drift_fro", r.KernelDriftFrobenius),
            new("kernel_drift_op", r.KernelDriftOperator),
            new("kernel_velocity_mean", r.KernelVelocity.Length == 0 ? 0 : r.KernelVelocity.Average()),
            new("alignment_start", r.AlignmentStart),
            new("alignment_end", r.AlignmentEnd),
            new("channel_dim", r.ChannelDim),
            new("channel_threshold", r.Threshold),
            new("gramian_r0", r.GramianRanks.R0),
            new("gramian_R0", r.GramianRanks.BigR0),
            new("kernel_r0", r.KernelRanks.R0),
            new("kernel_R0", r.KernelRanks.BigR0),
            new("reservoir_share_label_noise", r.Cells?.NoiseReservoirShare),
            new("test_effect_of_reservoir_noise", r.Cells?.ReservoirShareOfNoiseTestEffect),
            new("frozen_kernel_test_mse_error", r.Frozen?.TestMseError),
            new("frozen_kernel_test_output_rel_error", r.Frozen?.TestOutputRelativeError),
            new("frozen_kernel_infinite_time_test_mse", r.Frozen?.InfiniteTimeTestMse),
            new("propagator_radius_max", r.MaxPropagatorRadius.Radius),
            new("propagator_radius_max_step", r.MaxPropagatorRadius.Step),
            new("low_rank", r.LowRank?.Source),
            new("low_rank_rank", r.LowRank?.Rank),
            new("low_rank_subspace", r.LowRank?.SubspaceDimension),
            new("low_rank_error_bound", r.LowRank?.MaxErrorBound),
            new("low_rank_relative_error_bound", r.LowRank?.MaxRelativeErrorBound),
            new("low_rank_kernel_threshold", r.LowRank?.KernelThreshold),
            new("low_rank_last_kept", r.LowRank?.MaxLastKept),
            new("low_rank_channel_captured", r.LowRank?.Captured),
            new("low_rank_rank_needed", r.LowRank?.RankNeeded),
            new("low_rank_snapshot_directions", r.LowRank?.SnapshotDirections),
            new("low_rank_flow_cutoff", r.LowRank?.FlowCutoff),
            new("low_rank_discarded_flow", r.LowRank?.DiscardedFlow),
            new("operator_seconds", r.OperatorSeconds),
            new("analysis_seconds", analysisSeconds),
        };
        // Every analysis keeps its own summary; the whole-run default analysis is also merged into the run's
        // summary.json (the training fields stay), with analysis_window and analysis_threshold saying where the fields
        // came from.
        AtomicFile.WriteAllText(
            Path.Combine(dir, RunDirectory.SummaryFile),
            Json.Serialize(summary.ToDictionary(kv => kv.Key, kv => kv.Value))
        );
        if (name == "analysis")
        {
            string summaryPath = Path.Combine(runPath, RunDirectory.SummaryFile);
            var merged = File.Exists(summaryPath)
                ? Json.Deserialize<Dictionary<string, object?>>(File.ReadAllText(summaryPath))
                : [];
            foreach (var (k, v) in summary)
                merged[k] = v;
            AtomicFile.WriteAllText(summaryPath, Json.Serialize(merged));
        }

        var figures = Figures(r).ToList();
        foreach (var f in figures)
        {
            AtomicFile.WriteAllText(Path.Combine(dir, "figures", f.Name + ".svg"), f.Svg);
            AtomicFile.WriteAllBytes(Path.Combine(dir, "figures", f.Name + ".png"), f.Png);
        }
        var report = new HtmlReport($"Tangent analyze: path operators over steps {r.Start}–{r.End}")
            .Paragraph(
                $"Operators W_S, D and G_Q over {segments} frozen segments between kernel snapshots "
                    + $"({(r.Traced ? "output-traced" : "full output space")}, "
                    + $"{index.Loss}, "
                    + index.Optimizer
                    + (index.Minibatch ? ", minibatches: the operators describe the full-batch flow" : "")
                    + "). Approximations: "
                    + string.Join("; ", r.Approximations)
                    + "."
            )
            .Paragraph(
                r.LowRank is { } lowRank
                    ? "Factored operators. Certificate: "
                        + lowRank.Text
                        + ". The spectrum below has the "
                        + $"{r.GramianEigenvalues.Length} eigenvalues of W_S on the common subspace; every other "
                        + "eigenvalue is 0 by construction."
                    : "Dense operators (no low-rank approximation)."
            )
            .Paragraph(
                $"Channel: {r.ChannelDim} of {r.GramianEigenvalues.Length} eigen-directions of W_S at or above "
                    + $"{HtmlReport.Number(r.Threshold)} "
                    + $"({options.ThresholdText}). The whole spectrum is in the figures and in "
                    + $"{name}/W_S_eigenvalues.npy."
            )
            .Paragraph(
                r.MaxPropagatorRadius.Radius > 1
                    ? "Warning: the one-step propagator I − ηBK has spectral radius "
                        + $"{r.MaxPropagatorRadius.Radius:G3} > 1 in the segment from step "
                        + $"{r.MaxPropagatorRadius.Step}: "
                        + "the linearized dynamics w ← w − ηMJᵀg expand there (adaptive optimizers with "
                        + "momentum "
                        + "often do this while the real run stays stable), so D, G_Q and W_S "
                        + "are dominated by expanding modes and the predictions below are not expected to hold."
                    : "The one-step propagator I − ηBK is contractive throughout the window (largest spectral "
                        + $"radius {r.MaxPropagatorRadius.Radius:G4})."
            )
            .Paragraph(
                $"Cost: integrating W_S, W̃_S, D and G_Q over {segments} segments took "
                    + $"{r.OperatorSeconds:F2} s (an eigendecomposition and four "
                    + $"{r.GramianEigenvalues.Length}×{r.GramianEigenvalues.Length} products per segment for "
                    + "½-MSE); the checks, including the spacing table "
                    + $"(operators recomputed from every 2nd, 4th, … snapshot), took {analysisSeconds:F2} s. Kernel "
                    + "snapshots were computed during training (run summary: kernel_seconds)."
            )
            .Heading("Checks")
            .Table(
                ["check", "measured", "predicted", "relative error"],
                [
                    [
                        "path coupling ΔU_Q = G_Q D⁺ ΔU_S",
                        $"corr {HtmlReport.Number(r.PathCouplingCorrelation)}",
                        $"cutoff {options.PinvCutoff:G2}",
                        HtmlReport.Number(r.PathCouplingRelativeError),
                    ],
                    ["ΔU_S = −D g(s)", "", "", HtmlReport.Number(r.DirectTrainRelativeError)],
                    ["ΔU_Q = −G_Q g(s)", "", "", HtmlReport.Number(r.DirectTestRelativeError)],
                    [
                        "loss identity (flow W_S)",
                        HtmlReport.Number(r.LossDecrease),
                        HtmlReport.Number(r.LossPredictedFlow),
                        HtmlReport.Number(Math.Abs(r.LossPredictedFlow - r.LossDecrease) / Math.Abs(r.LossDecrease)),
                    ],
                    [
                        "loss identity (discrete W̃_S)",
                        HtmlReport.Number(r.LossDecrease),
                        HtmlReport.Number(r.LossPredictedDiscrete),
                        HtmlReport.Number(
                            Math.Abs(r.LossPredictedDiscrete - r.LossDecrease) / Math.Abs(r.LossDecrease)
                        ),
                    ],
                ]
            )
            .Heading("Path coupling against the D⁺ cutoff")
            .Table(
                ["relative cutoff", "relative error", "correlation"],
                r.CutoffSweep.Select(c =>
                    (IReadOnlyList<string>)
                        [
                            c.Cutoff.ToString("G2", System.Globalization.CultureInfo.InvariantCulture),
                            HtmlReport.Number(c.RelativeError),
                            HtmlReport.Number(c.Correlation),
                        ]
                )
            )
            .Heading("Where the model of the dynamics holds, segment by segment")
            .Paragraph(
                $"Dynamics modelled: {r.Dynamics}. Each segment is predicted from its own recorded start (output "
                    + "gradient, and with momentum the momentum images h = J M m) with the kernel and preconditioner "
                    + "frozen; the relative errors against the recorded motion show where that model breaks. Direct "
                    + $"checks over the whole window: train {HtmlReport.Number(r.DirectTrainRelativeError)}, test "
                    + $"{HtmlReport.Number(r.DirectTestRelativeError)}."
            )
            .Table(
                ["segment", "train motion rel. error", "test motion rel. error"],
                r.SegmentResiduals.Select(x =>
                {
                    string segment = $"{x.Start}–{x.End}";
                    return (IReadOnlyList<string>)[segment, HtmlReport.Number(x.Train), HtmlReport.Number(x.Test)];
                })
            )
            .Heading("Convergence in the snapshot spacing")
            .Table(
                ["every k-th snapshot", "snapshots", "path-coupling relative error"],
                r.SpacingConvergence.Select(c =>
                    (IReadOnlyList<string>)[$"{c.Every}", $"{c.Snapshots}", HtmlReport.Number(c.RelativeError)]
                )
            );
        if (r.Cells is { } cells)
            report
                .Heading("Four cells")
                .Table(
                    [
                        "labels",
                        "share in channel",
                        "share in reservoir",
                        "test effect via channel",
                        "test effect via reservoir",
                    ],
                    [
                        [
                            "clean signal",
                            HtmlReport.Number(cells.CleanChannelShare),
                            HtmlReport.Number(cells.CleanReservoirShare),
                            HtmlReport.Number(cells.CleanChannelTestEffect),
                            HtmlReport.Number(cells.CleanReservoirTestEffect),
                        ],
                        [
                            "injected noise",
                            HtmlReport.Number(cells.NoiseChannelShare),
                            HtmlReport.Number(cells.NoiseReservoirShare),
                            HtmlReport.Number(cells.NoiseChannelTestEffect),
                            HtmlReport.Number(cells.NoiseReservoirTestEffect),
                        ],
                    ]
                );
        report.Heading("Summary").Summary(summary);
        report.Heading("Explore the recorded kernels");
        if (window is null)
            report.Paragraph(
                "The interactive explorer is left out: this analysis is factored (it holds no dense kernel)."
            );
        else if (SnapshotExplorer.Unavailable(runPath) is { } why)
            report.Paragraph($"The interactive explorer is left out: {why}.");
        else
            report.Explorer(
                [SnapshotExplorer.FromSnapshots(runPath, Path.GetFileName(runPath), index, window)],
                ExplorerThreshold,
                "The instantaneous kernels K_SS(t) of the window's snapshots (the operators above integrate them "
                    + "along the path). Move the snapshot slider through training and the threshold slider over τ: "
                    + "the channel is every eigen-direction with λ ≥ τ·λ_max, re-partitioned as you move it; g "
                    + "is "
                    + "the output gradient ∂Φ/∂U (the residual U − Y under ½-MSE). Hover a point for its exact "
                    + "value; "
                    + "zooming one per-direction chart zooms the others."
            );
        report.Heading("Figures");
        foreach (var f in figures)
            report.Figure(f);
        AtomicFile.WriteAllText(Path.Combine(dir, "report.html"), report.Build());
        return summary;
    }

    /// <summary>Points of the path-coupling scatter at most (every k-th test output beyond it; the correlation and
    /// error use all).</summary>
    public const int MaxScatterPoints = 20_000;

    /// <summary>The explorer's starting relative threshold τ over the instantaneous kernels.</summary>
    public const double ExplorerThreshold = 1e-3;

    private static IEnumerable<RenderedFigure> Figures(PathAnalysisResult r)
    {
        double floor = 1e-16 * Math.Max(r.GramianEigenvalues[0], 1e-300);
        double L(double v) => Math.Log10(Math.Max(Math.Abs(v), floor));

        var spectrum = Figure.NewPlot("Spectrum of the dissipation Gramian W_S", "index i", "eigenvalue λ_i");
        var idx = Enumerable.Range(1, r.GramianEigenvalues.Length).Select(i => Math.Log10(i)).ToArray();
        var ch = spectrum.Add.ScatterPoints(
            idx.Take(r.ChannelDim).ToArray(),
            r.GramianEigenvalues.Take(r.ChannelDim).Select(L).ToArray()
        );
        ch.Color = Colors.Navy;
        ch.MarkerSize = 6;
        ch.LegendText = "signal channel";
        var rs = spectrum.Add.ScatterPoints(
            idx.Skip(r.ChannelDim).ToArray(),
            r.GramianEigenvalues.Skip(r.ChannelDim).Select(L).ToArray()
        );
        rs.Color = Colors.Gray;
        rs.MarkerSize = 4;
        rs.LegendText = "reservoir";
        var th = spectrum.Add.HorizontalLine(L(r.Threshold));
        th.Color = Colors.Crimson;
        th.LinePattern = LinePattern.Dashed;
        th.LegendText = "threshold";
        Figure.LogX(spectrum);
        Figure.LogY(spectrum);
        spectrum.ShowLegend(Alignment.LowerLeft);
        yield return Figure.Render(
            spectrum,
            "gramian_spectrum",
            "Eigenvalues of W_S over the window, channel and reservoir."
        );

        var transfer = Figure.NewPlot("Transfer spectrum", "eigenvalue λ_i of W_S", "‖G_Q v_i‖");
        var tp = transfer.Add.ScatterPoints(
            r.GramianEigenvalues.Select(L).ToArray(),
            r.TransferNorms.Select(v => Math.Log10(Math.Max(v, 1e-300))).ToArray()
        );
        tp.Color = Colors.Navy;
        tp.MarkerSize = 6;
        var tl = transfer.Add.VerticalLine(L(r.Threshold));
        tl.Color = Colors.Crimson;
        tl.LinePattern = LinePattern.Dashed;
        Figure.LogX(transfer);
        Figure.LogY(transfer);
        yield return Figure.Render(
            transfer,
            "transfer_spectrum",
            "How much each eigen-direction of W_S moves the test outputs: ‖G_Q v_i‖ against λ_i (test "
                + "invisibility: "
                + "small λ must transfer little)."
        );

        var scatter = Figure.NewPlot(
            "Path coupling: predicted against actual test motion",
            "actual ΔU_Q",
            "predicted G_Q D⁺ ΔU_S"
        );
        int every = Math.Max(1, r.ActualTestMotion.Length / MaxScatterPoints);
        var sp = scatter.Add.ScatterPoints(
            r.ActualTestMotion.Where((_, i) => i % every == 0).ToArray(),
            r.PredictedTestMotion.Where((_, i) => i % every == 0).ToArray()
        );
        sp.Color = Colors.Navy.WithAlpha(0.6);
        sp.MarkerSize = 5;
        sp.LegendText = "one test output";
        double lo = Math.Min(r.ActualTestMotion.Min(), r.PredictedTestMotion.Min()),
            hi = Math.Max(r.ActualTestMotion.Max(), r.PredictedTestMotion.Max());
        var diagonal = scatter.Add.ScatterLine(new[] { lo, hi }, new[] { lo, hi });
        diagonal.Color = Colors.Crimson;
        diagonal.LinePattern = LinePattern.Dashed;
        diagonal.LegendText = "y = x (exact prediction)";
        string fit =
            $"r = {HtmlReport.Number(r.PathCouplingCorrelation)}\n"
            + $"relative error {HtmlReport.Number(r.PathCouplingRelativeError)}";
        var note = scatter.Add.Annotation(fit, Alignment.UpperLeft);
        note.LabelFontSize = 15;
        note.LabelFontName = Figure.FontName;
        yield return Figure.Render(
            scatter,
            "path_coupling",
            $"Each point is one test output: correlation {HtmlReport.Number(r.PathCouplingCorrelation)}, relative "
                + $"error {HtmlReport.Number(r.PathCouplingRelativeError)}."
        );

        var drift = Figure.NewPlot("Kernel distance from the window start", "step + 1", "1 − cos(K_s, K_t)");
        var dl = drift.Add.Scatter(r.SnapshotSteps.Select(s => Math.Log10(s + 1)).ToArray(), r.KernelDistanceFromStart);
        dl.Color = Colors.Navy;
        dl.LineWidth = 2;
        Figure.LogX(drift);
        yield return Figure.Render(
            drift,
            "kernel_drift",
            $"Kernel distance from K_s at each snapshot (Frobenius drift at the end {r.KernelDriftFrobenius:G3})."
        );

        if (r.Frozen is { } f)
        {
            var fk = Figure.NewPlot("Frozen-kernel prediction against the real run", "step + 1", "mean squared error");
            var x = f.Steps.Select(s => Math.Log10(s + 1)).ToArray();
            double Ly(double v) => Math.Log10(Math.Max(v, 1e-30));
            var a = fk.Add.ScatterLine(x, f.ActualTrainMse.Select(Ly).ToArray());
            a.Color = Colors.Crimson;
            a.LineWidth = 2.5f;
            a.LegendText = "train (real)";
            var b = fk.Add.ScatterLine(x, f.PredictedTrainMse.Select(Ly).ToArray());
            b.Color = Colors.Crimson;
            b.LinePattern = LinePattern.Dashed;
            b.LineWidth = 2;
            b.LegendText = "train (frozen kernel)";
            var c = fk.Add.ScatterLine(x, f.ActualTestMse.Select(Ly).ToArray());
            c.Color = Colors.SeaGreen;
            c.LineWidth = 2.5f;
            c.LegendText = "test (real)";
            var d = fk.Add.ScatterLine(x, f.PredictedTestMse.Select(Ly).ToArray());
            d.Color = Colors.SeaGreen;
            d.LinePattern = LinePattern.Dashed;
            d.LineWidth = 2;
            d.LegendText = "test (frozen kernel)";
            Figure.LogX(fk);
            Figure.LogY(fk);
            fk.ShowLegend(Alignment.LowerLeft);
            yield return Figure.Render(
                fk,
                "frozen_kernel",
                $"The linearized network from the kernel at step {r.Start} (dashed) against the real run (solid); t "
                    + $"→ ∞ test MSE {f.InfiniteTimeTestMse:G3}."
            );
        }

        if (r.Cells is { } cells)
        {
            var bars = Figure.NewPlot(
                "Four cells: how clean labels and label noise split between channel and reservoir",
                "",
                "share of the squared norm"
            );
            var values = new[]
            {
                cells.CleanChannelShare,
                cells.CleanReservoirShare,
                cells.NoiseChannelShare,
                cells.NoiseReservoirShare,
            };
            var bp = bars.Add.Bars(values);
            string[] labels = ["clean · channel", "clean · reservoir", "noise · channel", "noise · reservoir"];
            bars.Axes.Bottom.SetTicks(Enumerable.Range(0, 4).Select(i => (double)i).ToArray(), labels);
            bars.Axes.SetLimitsY(0, 1.05);
            yield return Figure.Render(
                bars,
                "four_cells",
                "Shares of the clean labels and of the injected noise in channel and reservoir of W_S. What reaches "
                    + "the test outputs is in the next figure."
            );

            var effect = Figure.NewPlot(
                "Four cells: what reaches the test outputs, ‖G_Q Π y‖/n",
                "",
                "test-output motion ‖G_Q Π y‖/n"
            );
            effect.Add.Bars(
                new[]
                {
                    cells.CleanChannelTestEffect,
                    cells.CleanReservoirTestEffect,
                    cells.NoiseChannelTestEffect,
                    cells.NoiseReservoirTestEffect,
                }
            );
            effect.Axes.Bottom.SetTicks(Enumerable.Range(0, 4).Select(i => (double)i).ToArray(), labels);
            effect.Axes.SetLimitsY(
                0,
                1.05
                    * Math.Max(
                        1e-300,
                        new[]
                        {
                            cells.CleanChannelTestEffect,
                            cells.CleanReservoirTestEffect,
                            cells.NoiseChannelTestEffect,
                            cells.NoiseReservoirTestEffect,
                        }.Max()
                    )
            );
            yield return Figure.Render(
                effect,
                "four_cells_test_effect",
                "How far each cell moves the test outputs through G_Q. The reservoir carries "
                    + $"{cells.ReservoirShareOfNoiseTestEffect:P1} of the noise's test effect (the theory's test "
                    + "invisibility: what lies in the reservoir moves the test outputs little)."
            );
        }
    }

    private static double? MaxOrNull(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? null : finite.Max();
    }
}
