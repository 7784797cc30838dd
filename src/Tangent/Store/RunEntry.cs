namespace Tangent.Store;

/// <summary>
/// One run directory as <c>tangent runs</c> lists it: where it is (absolute, and relative to the listed root), its
/// run record (null with <see cref="Problem"/> when run.json cannot be read) and its summary scalars (empty until it
/// has written summary.json).
/// </summary>
public sealed record RunEntry(
    string Path,
    string Relative,
    RunInfo? Info,
    IReadOnlyList<KeyValuePair<string, object?>> Summary,
    string? Problem
)
{
    /// <summary>The summary scalars that say most about a run, in one short line: a study's verdict count, else
    /// the final losses or MSEs, else its first two numbers.</summary>
    public string KeyMetrics()
    {
        var verdicts = Summary
            .Where(kv => kv.Key.StartsWith("verdict_", StringComparison.Ordinal) && kv.Value is string)
            .Where(kv => !kv.Key.EndsWith("_measured", StringComparison.Ordinal))
            .Select(kv => (string)kv.Value!)
            .ToList();
        if (verdicts.Count > 0)
            return $"verdicts: {verdicts.Count(v => v == "holds")} hold, {verdicts.Count(v => v == "fails")} fail"
                + (verdicts.Any(v => v == "undecided") ? $", {verdicts.Count(v => v == "undecided")} undecided" : "");
        string[] preferred =
        [
            "final_train_loss",
            "final_test_loss",
            "final_train_mse",
            "final_test_mse",
            "path_coupling_correlation",
            "channel_dimension",
        ];
        var chosen = preferred
            .Select(k => Summary.FirstOrDefault(kv => kv.Key == k))
            .Where(kv => kv.Value is double)
            .Take(3)
            .ToList();
        if (chosen.Count == 0)
            chosen = Summary.Where(kv => kv.Value is double).Take(2).ToList();
        return string.Join("  ", chosen.Select(kv => $"{kv.Key} {(double)kv.Value!:G4}"));
    }
}
