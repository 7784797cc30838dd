using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// One kernel snapshot of a recorded run, taken at a step before that step's update: K_SS and K_QS (with the
/// optimizer's preconditioner folded in), the outputs U_S [n, p] and U_Q [m, p], and the learning rate of the step. In
/// traced mode the kernels are n×n and n×m (Σ over outputs). For momentum optimizers, also the output images of the
/// momentum buffer before the update, H_S = J_S M m and H_Q = J_Q M m, [n, p] and [m, p].
/// </summary>
public sealed record Snapshot(int Step, double LearningRate, Tensor Kss, Tensor Kqs, Tensor Us, Tensor Uq) : IDisposable
{
    /// <summary>H_S = J_S M m [n, p]: the momentum's image on the training outputs (null: not recorded).</summary>
    public Tensor? Hs { get; init; }

    /// <summary>H_Q = J_Q M m [m, p] (null: not recorded).</summary>
    public Tensor? Hq { get; init; }

    /// <summary>Directory of snapshot <paramref name="step"/> inside a run.</summary>
    public static string Directory(string run, int step) =>
        Path.Combine(run, "snapshots", step.ToString("D8", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Writes the snapshot's arrays (float64).</summary>
    public void Write(string run)
    {
        string dir = Directory(run, Step);
        Npy.Write(Path.Combine(dir, "K_SS.npy"), Kss.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "K_QS.npy"), Kqs.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "U_S.npy"), Us.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "U_Q.npy"), Uq.to_type(ScalarType.Float64));
        if (Hs is not null && Hq is not null)
        {
            Npy.Write(Path.Combine(dir, "H_S.npy"), Hs.to_type(ScalarType.Float64));
            Npy.Write(Path.Combine(dir, "H_Q.npy"), Hq.to_type(ScalarType.Float64));
        }
    }

    /// <summary>Reads snapshot <paramref name="step"/> of <paramref name="run"/>.</summary>
    public static Snapshot Read(string run, int step, double lr)
    {
        string dir = Directory(run, step);
        string hs = Path.Combine(dir, "H_S.npy"),
            hq = Path.Combine(dir, "H_Q.npy");
        bool momentum = File.Exists(hs) && File.Exists(hq);
        return new Snapshot(
            step,
            lr,
            Load(Path.Combine(dir, "K_SS.npy")),
            Load(Path.Combine(dir, "K_QS.npy")),
            Load(Path.Combine(dir, "U_S.npy")),
            Load(Path.Combine(dir, "U_Q.npy"))
        )
        {
            Hs = momentum ? Load(hs) : null,
            Hq = momentum ? Load(hq) : null,
        };
    }

    internal static Tensor Load(string path)
    {
        ConfigException.Require(
            File.Exists(path),
            "RUN",
            $"the snapshot file '{path}' is missing",
            "the run directory is incomplete; train it again"
        );
        try
        {
            return Npy.ReadTensor(path);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException(
                "RUN",
                $"a snapshot is unreadable: {e.Message}",
                "the run directory is damaged; train it again"
            );
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kss.Dispose();
        Kqs.Dispose();
        Us.Dispose();
        Uq.Dispose();
        Hs?.Dispose();
        Hq?.Dispose();
    }
}
