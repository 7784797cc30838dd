using Tangent.Kernels;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// Takes kernel snapshots during training on the schedule of a <see cref="RecordConfig"/>: at each chosen step, before
/// the update, K_SS = J_S M J_Sᵀ and K_QS = J_Q M J_Sᵀ with M the optimizer's preconditioner for that step, and the
/// outputs U_S, U_Q; writes them under <c>snapshots/</c> and keeps <c>snapshots/index.json</c> current (atomically).
/// </summary>
public sealed class KernelRecorder(RecordConfig record, RunDirectory run, TrainConfig train) : ITrainingObserver
{
    private readonly HashSet<int> _steps = [.. record.StepsFor(train.Steps)];
    private readonly SnapshotIndex _index = new()
    {
        Traced = record.Traced,
        Outputs = train.Model.Widths[^1],
        TrainSamples = train.Task.TrainSamples,
        QuerySamples = train.Task.TestSamples,
        Loss = train.Loss,
        Minibatch = train.BatchSize > 0 && train.BatchSize < train.Task.TrainSamples,
        Optimizer = train.Optimizer.Kind,
        Method = record.Method,
    };

    /// <summary>Seconds spent computing kernels.</summary>
    public double KernelSeconds { get; private set; }

    /// <summary>Continues the index of a resumed run (snapshots at or after the resumed step are taken again).</summary>
    public void ContinueExisting()
    {
        string path = SnapshotIndex.PathIn(run.Path);
        if (!File.Exists(path)) return;
        var existing = Json.Deserialize<SnapshotIndex>(File.ReadAllText(path));
        _index.Steps.AddRange(existing.Steps);
        _index.LearningRates.AddRange(existing.LearningRates);
    }

    /// <inheritdoc/>
    public void OnStep(TrainingState state)
    {
        if (!_steps.Contains(state.Step)) return;
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
            Method = record.Method switch { "jacobian" => NtkMethod.JacobianContraction, "vector-products" => NtkMethod.NtkVectorProducts, _ => NtkMethod.LayerwiseRules },
            Traced = record.Traced,
            Preconditioner = train.Optimizer.Kind is OptimizerKind.Adam or OptimizerKind.AdamW ? state.Optimizer.Preconditioner() : null,
        };
        using var kernels = Ntk.Compute(state.Model, state.Task.TrainX, state.Task.TestX, options);
        Tensor us, uq;
        using (no_grad())
        {
            us = state.Model.call(state.Task.TrainX);
            uq = state.Model.call(state.Task.TestX);
        }
        using var snapshot = new Snapshot(state.Step, state.LearningRate, kernels.Kss.alias(), kernels.Kqs!.alias(), us.alias(), uq.alias());
        snapshot.Write(run.Path);
        _index.Steps.Add(state.Step);
        _index.LearningRates.Add(state.LearningRate);
        AtomicFile.WriteAllText(SnapshotIndex.PathIn(run.Path), Json.Serialize(_index));
        KernelSeconds += clock.Elapsed.TotalSeconds;
    }
}
