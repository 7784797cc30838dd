using Tangent.Kernels;
using Tangent.Kernels.LowRank;
using Tangent.Models;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// Takes kernel snapshots during training on the schedule of a <see cref="RecordConfig"/>: at each chosen step, before
/// the update, K_SS = J_S M J_Sᵀ and K_QS = J_Q M J_Sᵀ with M the optimizer's effective preconditioner for that
/// step (SnrAdamW: the gate times Adam's), and the outputs U_S, U_Q; writes them under <c>snapshots/</c> and keeps
/// <c>snapshots/index.json</c> current (atomically).
/// </summary>
public sealed class KernelRecorder(RecordConfig record, RunDirectory run, TrainConfig train) : ITrainingObserver
{
    private readonly HashSet<int> _steps = [.. record.StepsFor(train.Steps)];
    private List<long>? _trainSubset,
        _querySubset;
    private readonly SnapshotIndex _index = new()
    {
        Traced = record.Traced,
        Outputs = train.Task.OutputDimension,
        TrainSamples = train.Task.TrainSamples,
        QuerySamples = train.Task.TestSamples,
        Loss = train.Loss,
        Minibatch = train.BatchSize > 0 && train.BatchSize < train.Task.TrainSamples,
        Optimizer = train.Optimizer.Kind,
        Method = record.Method,
        // The momentum images h = J M m must use the kernel's M: GD/SGD (M = 1) always, the Adam family when the
        // kernels are preconditioned (SnrAdamW: M = q ⊙ M_Adam, except the exact gate, which has no M before the
        // step).
        Momentum =
            train.Optimizer.Kind is OptimizerKind.Gd or OptimizerKind.Sgd || GatedPreconditioner(record, train)
                ? MomentumModel.For(train.Optimizer)
                : null,
        WeightDecay = train.Optimizer.WeightDecay,
        Rank = record.Rank > 0 ? record.Rank : null,
        Landmarks = record.Rank > 0 ? record.Landmarks : null,
        Refinements = record.Rank > 0 ? record.Refine : null,
    };

    /// <summary>Whether the snapshot kernels fold in the optimizer's effective preconditioner: preconditioned
    /// recording of an Adam-family run, SnrAdamW's gate included unless it is the exact one.</summary>
    private static bool GatedPreconditioner(RecordConfig record, TrainConfig train) =>
        record.Preconditioned
        && (
            train.Optimizer.Kind is OptimizerKind.Adam or OptimizerKind.AdamW
            || (train.Optimizer.Kind == OptimizerKind.SnrAdamW && train.Optimizer.Gate != GateKind.Exact)
        );

    /// <summary>Seconds spent computing kernels.</summary>
    public double KernelSeconds { get; private set; }

    /// <summary>A fixed random subset of <paramref name="size"/> of <paramref name="count"/> rows (seed + offset),
    /// sorted; null for all.</summary>
    private List<long>? Subset(long count, int size, int offset)
    {
        if (size <= 0 || size >= count)
            return null;
        using var g = Seeds.Generator(train.Seed + offset);
        using var perm = randperm(count, generator: g);
        return perm[TensorIndex.Slice(0, size)].data<long>().ToArray().Order().ToList();
    }

    /// <summary>Continues the index of a resumed run (snapshots at or after the resumed step are taken
    /// again).</summary>
    public void ContinueExisting()
    {
        string path = SnapshotIndex.PathIn(run.Path);
        if (!File.Exists(path))
            return;
        var existing = SnapshotIndex.Read(run.Path);
        _index.Steps.AddRange(existing.Steps);
        _index.LearningRates.AddRange(existing.LearningRates);
    }

    /// <inheritdoc/>
    public void OnStep(TrainingState state)
    {
        if (!_steps.Contains(state.Step))
            return;
        int later = _index.Steps.FindIndex(s => s >= state.Step);
        if (later >= 0)
        {
            _index.Steps.RemoveRange(later, _index.Steps.Count - later);
            _index.LearningRates.RemoveRange(later, _index.LearningRates.Count - later);
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var scope = NewDisposeScope();
        var options = new NtkOptions
        {
            Method = record.Method switch
            {
                "jacobian" => NtkMethod.JacobianContraction,
                "vector-products" => NtkMethod.NtkVectorProducts,
                _ => NtkMethod.LayerwiseRules,
            },
            Traced = record.Traced,
            Preconditioner = GatedPreconditioner(record, train) ? state.Optimizer.EffectivePreconditioner() : null,
        };
        _trainSubset ??= Subset(state.Task.TrainX.shape[0], record.MaxTrain, 3);
        _querySubset ??= Subset(state.Task.TestX.shape[0], record.MaxQuery, 4);
        var xs = _trainSubset is null
            ? state.Task.TrainX
            : state.Task.TrainX.index_select(0, tensor(_trainSubset.ToArray()));
        var xq = _querySubset is null
            ? state.Task.TestX
            : state.Task.TestX.index_select(0, tensor(_querySubset.ToArray()));
        var us = ModelOutputs.Of(state.Model, xs);
        var uq = ModelOutputs.Of(state.Model, xq);
        if (record.Rank > 0)
        {
            RecordFactored(state, xs, xq, us, uq, options, clock);
            return;
        }
        using var kernels = Ntk.Compute(state.Model, xs, xq, options);
        // The momentum's output images h = J M m (one Jacobian–vector product per set) for the momentum-aware
        // operators; M is the same preconditioner the kernels fold in.
        var direction = MomentumDirection(state);
        using var snapshot = new Snapshot(
            state.Step,
            state.LearningRate,
            kernels.Kss.alias(),
            kernels.Kqs!.alias(),
            us.alias(),
            uq.alias()
        )
        {
            Hs = direction is null ? null : JacobianVectorProduct.Apply(state.Model, xs, direction),
            Hq = direction is null ? null : JacobianVectorProduct.Apply(state.Model, xq, direction),
        };
        snapshot.Write(run.Path);
        Indexed(state, xs, xq, clock);
    }

    /// <summary>A factored snapshot by Nyström (record.rank): never forms K_SS or K_QS; its certificate is judged
    /// against the run's kernel threshold λ⋆_K = n·c/(η·steps) (c = p traced, 1 full) at this step's
    /// η.</summary>
    private void RecordFactored(
        TrainingState state,
        Tensor xs,
        Tensor xq,
        Tensor us,
        Tensor uq,
        NtkOptions options,
        System.Diagnostics.Stopwatch clock
    )
    {
        long n = xs.shape[0];
        double flow = state.LearningRate * train.Steps * (_index.Momentum?.Gain ?? 1);
        double threshold = n * (record.Traced ? train.Task.OutputDimension : 1) / Math.Max(flow, 1e-300);
        using var low = Nystrom.Compute(
            state.Model,
            xs,
            options,
            new NystromOptions
            {
                Rank = (int)Math.Min(record.Rank, n * (record.Traced ? 1 : train.Task.OutputDimension)),
                Landmarks = record.Landmarks > 0 ? (int)Math.Min(record.Landmarks, n) : null,
                Probes = record.Probes,
                Refinements = record.Refine,
                Threshold = threshold,
                Seed = train.Seed + 5,
            },
            xq
        );
        var direction = MomentumDirection(state);
        using var snapshot = new FactoredSnapshot(
            state.Step,
            state.LearningRate,
            low.Values.alias(),
            low.Vectors.alias(),
            low.QueryFactor!.alias(),
            us.alias(),
            uq.alias(),
            low.Certificate
        )
        {
            Spectrum = low.NystromValues,
            // The momentum images by blocks of rows: one JVP's activations for 60,000 inputs at once would be
            // gigabytes.
            Hs = direction is null ? null : JacobianVectorProduct.Apply(state.Model, xs, direction, MomentumRows),
            Hq = direction is null ? null : JacobianVectorProduct.Apply(state.Model, xq, direction, MomentumRows),
        };
        snapshot.Write(run.Path);
        Indexed(state, xs, xq, clock);
    }

    /// <summary>Rows per block of a factored snapshot's momentum images.</summary>
    private const int MomentumRows = 2048;

    /// <summary>M m, the direction whose output images the momentum-aware operators need (null: the run's
    /// momentum is not modelled).</summary>
    private Tensor? MomentumDirection(TrainingState state) =>
        _index.Momentum is null ? null : state.Optimizer.MomentumDirection();

    /// <summary>Adds the step to snapshots/index.json (atomically) and the kernel time.</summary>
    private void Indexed(TrainingState state, Tensor xs, Tensor xq, System.Diagnostics.Stopwatch clock)
    {
        _index.Steps.Add(state.Step);
        _index.LearningRates.Add(state.LearningRate);
        var index = _index with
        {
            TrainIndices = _trainSubset,
            QueryIndices = _querySubset,
            TrainSamples = (int)xs.shape[0],
            QuerySamples = (int)xq.shape[0],
        };
        AtomicFile.WriteAllText(SnapshotIndex.PathIn(run.Path), Json.Serialize(index));
        KernelSeconds += clock.Elapsed.TotalSeconds;
    }
}
