using Tangent.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>
/// A resumable checkpoint: the next step, parameters, optimizer state, the batch generator's state, the metrics so far
/// and the accumulators. Written to a fresh directory and swapped in by renames, so a kill at any moment leaves a
/// complete one.
/// </summary>
public static class Checkpoint
{
    private const string Name = "checkpoint";

    private sealed record Header(
        int NextStep,
        long OptimizerSteps,
        double Risk,
        double RiskAlpha,
        List<TrainingMetrics> Metrics
    );

    /// <summary>Saves everything needed to continue at <paramref name="nextStep"/>.</summary>
    public static void Save(
        string run,
        int nextStep,
        nn.Module model,
        Optimizer optimizer,
        Generator batches,
        IReadOnlyList<TrainingMetrics> metrics,
        RunAccumulators accumulators
    )
    {
        string final = Path.Combine(run, Name);
        string fresh = Path.Combine(run, $".{Name}.{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(fresh, "params"));
        ParameterFiles.Save(model, Path.Combine(fresh, "params"));
        foreach (var (name, tensor) in optimizer.State())
            Npy.Write(Path.Combine(fresh, "optimizer", name + ".npy"), tensor);
        using (var state = batches.get_state())
            Npy.Write(Path.Combine(fresh, "rng.npy"), state);
        if (accumulators.Drift is not null)
            Npy.Write(Path.Combine(fresh, "drift.npy"), accumulators.Drift);
        if (accumulators.Diffusion is not null)
            Npy.Write(Path.Combine(fresh, "diffusion.npy"), accumulators.Diffusion);
        AtomicFile.WriteAllText(
            Path.Combine(fresh, "state.json"),
            Json.Serialize(
                new Header(nextStep, optimizer.Steps, accumulators.Risk, accumulators.RiskAlpha, metrics.ToList())
            )
        );
        string old = final + ".old";
        if (Directory.Exists(old))
            Directory.Delete(old, recursive: true);
        if (Directory.Exists(final))
            Directory.Move(final, old);
        Directory.Move(fresh, final);
        if (Directory.Exists(old))
            Directory.Delete(old, recursive: true);
    }

    /// <summary>Whether <paramref name="run"/> has a complete checkpoint.</summary>
    public static bool Exists(string run) => Locate(run) is not null;

    /// <summary>Restores a checkpoint into the model, optimizer and generator; returns the next step and the metrics so
    /// far.</summary>
    public static (int NextStep, List<TrainingMetrics> Metrics) Load(
        string run,
        nn.Module model,
        Optimizer optimizer,
        Generator batches,
        RunAccumulators accumulators
    )
    {
        string dir =
            Locate(run)
            ?? throw new ConfigException(
                "RUN",
                $"'{run}' has no checkpoint",
                "train with checkpoint_every > 0 to be able to resume"
            );
        var header = Json.Deserialize<Header>(File.ReadAllText(Path.Combine(dir, "state.json")));
        ParameterFiles.Load(model, Path.Combine(dir, "params"));
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in optimizer.State())
        {
            var a = Npy.Read(Path.Combine(dir, "optimizer", name + ".npy"));
            state[name] = torch.tensor(a.Data, a.Shape, dtype: tensor.dtype);
        }
        optimizer.Load(state, header.OptimizerSteps);
        var rng = Npy.Read(Path.Combine(dir, "rng.npy"));
        using (var bytes = torch.tensor(rng.Data.Select(v => (byte)v).ToArray()))
            batches.set_state(bytes);
        accumulators.Risk = header.Risk;
        accumulators.RiskAlpha = header.RiskAlpha;
        if (File.Exists(Path.Combine(dir, "drift.npy")))
            accumulators.Drift = Load(Path.Combine(dir, "drift.npy"));
        if (File.Exists(Path.Combine(dir, "diffusion.npy")))
            accumulators.Diffusion = Load(Path.Combine(dir, "diffusion.npy"));
        return (header.NextStep, header.Metrics);
    }

    private static Tensor Load(string path)
    {
        var a = Npy.Read(path);
        return torch.tensor(a.Data, a.Shape, dtype: ScalarType.Float64).DetachFromDisposeScope();
    }

    private static string? Locate(string run)
    {
        foreach (var candidate in new[] { Path.Combine(run, Name), Path.Combine(run, Name + ".old") })
            if (File.Exists(Path.Combine(candidate, "state.json")))
                return candidate;
        return null;
    }
}
