using System.Globalization;
using Tangent.Paths;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Runs;

/// <summary>What a run produced, typed: its metrics table, its final model, its summary, the index of its kernel
/// snapshots, and its path analysis when one was asked for.</summary>
/// <param name="Path">The run directory.</param>
/// <param name="Metrics">The rows of metrics.csv.</param>
/// <param name="Model">The model with its final parameters.</param>
/// <param name="Summary">The fields of summary.json the training wrote.</param>
/// <param name="Snapshots">The recorded kernel snapshots (null: none were recorded).</param>
/// <param name="Analysis">The path-operator analysis (THEORY §2–3, §7); null unless the spec asked for it.</param>
/// <param name="Reused">True when a finished run with the same config was read back instead of trained again.</param>
public sealed record RunResult(
    string Path,
    IReadOnlyList<TrainingMetrics> Metrics,
    nn.Module<Tensor, Tensor> Model,
    IReadOnlyList<KeyValuePair<string, object?>> Summary,
    SnapshotIndex? Snapshots,
    PathAnalysisResult? Analysis,
    bool Reused
)
{
    /// <summary>The last metrics row (the final step's).</summary>
    public TrainingMetrics Final => Metrics[^1];

    /// <summary>A number from the summary; a missing key is a bug in the caller and throws.</summary>
    public double Number(string key) =>
        Summary.First(kv => kv.Key == key).Value switch
        {
            System.Text.Json.JsonElement e => e.GetDouble(),
            var v => Convert.ToDouble(v, CultureInfo.InvariantCulture),
        };

    /// <summary>The path analysis, which the spec must have asked for.</summary>
    public PathAnalysisResult Paths =>
        Analysis ?? throw new InvalidOperationException($"the run at {Path} was not analyzed (RunSpec.Analysis)");
}
