using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// One kernel snapshot of a recorded run, taken at a step before that step's update: K_SS and K_QS (with the
/// optimizer's preconditioner folded in), the outputs U_S [n, p] and U_Q [m, p], and the learning rate of the step.
/// In traced mode the kernels are n×n and n×m (Σ over outputs).
/// </summary>
public sealed record Snapshot(int Step, double LearningRate, Tensor Kss, Tensor Kqs, Tensor Us, Tensor Uq) : IDisposable
{
    /// <summary>Directory of snapshot <paramref name="step"/> inside a run.</summary>
    public static string Directory(string run, int step) => Path.Combine(run, "snapshots", step.ToString("D8", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Writes the snapshot's arrays (float64).</summary>
    public void Write(string run)
    {
        string dir = Directory(run, Step);
        Npy.Write(Path.Combine(dir, "K_SS.npy"), Kss.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "K_QS.npy"), Kqs.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "U_S.npy"), Us.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "U_Q.npy"), Uq.to_type(ScalarType.Float64));
    }

    /// <summary>Reads snapshot <paramref name="step"/> of <paramref name="run"/>.</summary>
    public static Snapshot Read(string run, int step, double lr)
    {
        string dir = Directory(run, step);
        return new Snapshot(step, lr, Load(Path.Combine(dir, "K_SS.npy")), Load(Path.Combine(dir, "K_QS.npy")),
                            Load(Path.Combine(dir, "U_S.npy")), Load(Path.Combine(dir, "U_Q.npy")));
    }

    private static Tensor Load(string path)
    {
        ConfigException.Require(File.Exists(path), "RUN", $"the snapshot file '{path}' is missing",
            "the run directory is incomplete; train it again");
        NpyArray a;
        try { a = Npy.Read(path); }
        catch (InvalidDataException e)
        {
            throw new ConfigException("RUN", $"a snapshot is unreadable: {e.Message}", "the run directory is damaged; train it again");
        }
        return tensor(a.Data, a.Shape, dtype: ScalarType.Float64);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kss.Dispose();
        Kqs.Dispose();
        Us.Dispose();
        Uq.Dispose();
    }
}

/// <summary>snapshots/index.json: which snapshots a run holds and how they were taken.</summary>
public sealed record SnapshotIndex
{
    /// <summary>Snapshot steps, increasing.</summary>
    public List<int> Steps { get; init; } = [];
    /// <summary>Learning rate used by the update at each snapshot step.</summary>
    public List<double> LearningRates { get; init; } = [];
    /// <summary>Output-traced kernels.</summary>
    public bool Traced { get; init; }
    /// <summary>Outputs per sample p.</summary>
    public int Outputs { get; init; }
    /// <summary>Training samples n.</summary>
    public int TrainSamples { get; init; }
    /// <summary>Query samples m.</summary>
    public int QuerySamples { get; init; }
    /// <summary>The loss trained on.</summary>
    public LossKind Loss { get; init; }
    /// <summary>Whether minibatches were used (the operators then describe the full-batch flow).</summary>
    public bool Minibatch { get; init; }
    /// <summary>Optimizer family.</summary>
    public OptimizerKind Optimizer { get; init; }
    /// <summary>eNTK method used.</summary>
    public string Method { get; init; } = "rules";
    /// <summary>Indices of the recorded training subset S′ ⊂ S (null: all of S).</summary>
    public List<long>? TrainIndices { get; init; }
    /// <summary>Indices of the recorded query subset Q′ ⊂ Q (null: all of Q).</summary>
    public List<long>? QueryIndices { get; init; }

    /// <summary>Path of the index inside a run.</summary>
    public static string PathIn(string run) => Path.Combine(run, "snapshots", "index.json");
}
