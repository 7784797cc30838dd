namespace Tangent.Store;

/// <summary>
/// Finds the run directories under a root (every directory holding a run.json, study arms and sweep runs
/// included; the arrays, figures and snapshots folders are not searched) and reads each one's record and summary,
/// oldest first. An unreadable run is listed with its problem instead of stopping the listing.
/// </summary>
public static class RunListing
{
    private static readonly HashSet<string> Skipped = ["arrays", "arrays.partial", "figures", "snapshots", "logs"];

    /// <summary>Every run under <paramref name="root"/> (the root itself when it is a run).</summary>
    public static IReadOnlyList<RunEntry> Find(string root)
    {
        string full = System.IO.Path.GetFullPath(root);
        ConfigException.Require(
            Directory.Exists(full),
            "DIR",
            $"'{root}' does not exist",
            "pass a directory of runs (default: runs)"
        );
        var entries = new List<RunEntry>();
        var pending = new Stack<string>([full]);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            if (File.Exists(System.IO.Path.Combine(dir, RunDirectory.RunFile)))
                entries.Add(Read(dir, full));
            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateDirectories(dir).ToList();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var child in children)
                if (!Skipped.Contains(System.IO.Path.GetFileName(child)))
                    pending.Push(child);
        }
        return entries
            .OrderBy(e => e.Info?.StartedUtc ?? DateTimeOffset.MaxValue)
            .ThenBy(e => e.Relative, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Reads one run directory.</summary>
    public static RunEntry Read(string dir, string root)
    {
        string relative = System.IO.Path.GetRelativePath(root, dir);
        if (relative == ".")
            relative = System.IO.Path.GetFileName(dir);
        try
        {
            var info = RunDirectory.Inspect(dir);
            string summary = System.IO.Path.Combine(dir, RunDirectory.SummaryFile);
            var values = File.Exists(summary) ? Json.ReadSummary(summary) : [];
            return new RunEntry(dir, relative, info, values, null);
        }
        catch (Exception e) when (e is ConfigException or IOException or System.Text.Json.JsonException)
        {
            return new RunEntry(dir, relative, null, [], e.Message.ReplaceLineEndings(" "));
        }
    }
}
