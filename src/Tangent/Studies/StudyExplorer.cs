using Tangent.Paths;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;

namespace Tangent.Studies;

/// <summary>
/// The explorer section of a study's report: every finished arm under the study's run directory that recorded kernel
/// snapshots, one entry of the page's run selector each, within a budget of eigen-decompositions (Σ snapshots·N³ ≤
/// <see cref="Budget"/>, N the operator dimension), taken in directory order; the report names the arms left out.
/// </summary>
public static class StudyExplorer
{
    /// <summary>Σ over the shown arms of snapshots·N³: 40 decompositions of 1000 × 1000, seconds on a
    /// laptop.</summary>
    public const double Budget = 40e9;

    /// <summary>The arms' series, and a sentence on what was left out (null when nothing was).</summary>
    public static (List<ExplorerSeries> Series, string? LeftOut) Collect(string studyRun, CancellationToken cancel)
    {
        var series = new List<ExplorerSeries>();
        var skipped = new List<string>();
        double spent = 0;
        foreach (string arm in Arms(studyRun))
        {
            string name = Path.GetRelativePath(studyRun, arm);
            if (SnapshotExplorer.Unavailable(arm) is { } why)
            {
                skipped.Add($"{name} ({why})");
                continue;
            }
            var index = SnapshotIndex.Read(arm);
            double n = index.TrainIndices?.Count ?? index.TrainSamples;
            double dim = index.Traced ? n : n * index.Outputs;
            double cost = Math.Min(index.Steps.Count, SnapshotExplorer.MaxSnapshots) * dim * dim * dim;
            if (spent + cost > Budget && series.Count > 0)
            {
                skipped.Add($"{name} (over the explorer's budget of eigen-decompositions)");
                continue;
            }
            spent += cost;
            series.Add(SnapshotExplorer.FromRun(arm, name, cancel));
        }
        return (series, skipped.Count == 0 ? null : "Left out of the explorer: " + string.Join("; ", skipped) + ".");
    }

    // Finished train runs with kernel snapshots below the study's directory (arms, and arms of sub-studies).
    private static IEnumerable<string> Arms(string root) =>
        Directory
            .EnumerateFiles(
                root,
                "index.json",
                new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 4 }
            )
            .Where(f => Path.GetFileName(Path.GetDirectoryName(f)) == "snapshots")
            .Select(f => Path.GetDirectoryName(Path.GetDirectoryName(f))!)
            .Where(d =>
                File.Exists(Path.Combine(d, RunDirectory.RunFile)) && RunDirectory.Inspect(d).Status == RunStatus.Done
            )
            .Order(StringComparer.Ordinal);
}
