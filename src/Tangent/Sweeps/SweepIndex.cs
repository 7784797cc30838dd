using System.Globalization;
using System.Text.Json;
using Tangent.Store;

namespace Tangent.Sweeps;

/// <summary>
/// The results index of a sweep (<c>tangent sweep collect</c>): one row per run (index, id, status, error, wall
/// time, start time, config hash, the value of every axis and every scalar of its summary.json) over however many
/// runs have finished. Values are <see cref="long"/>, <see cref="double"/>, <see cref="string"/> or null, typed per
/// column.
/// </summary>
public sealed record SweepIndex(IReadOnlyList<SweepColumn> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows)
{
    /// <summary>The run columns every index starts with.</summary>
    public static readonly IReadOnlyList<string> RunColumns =
    [
        "index",
        "id",
        "status",
        "error",
        "wall_seconds",
        "started_utc",
        "config_hash",
    ];

    /// <summary>The position of column <paramref name="name"/>, or −1.</summary>
    public int ColumnOf(string name) => Columns.ToList().FindIndex(c => c.Name == name);

    /// <summary>The position of the column of axis <paramref name="axis"/> (named <c>axis.KEY</c> where a run
    /// column has its name), or −1.</summary>
    public int AxisColumnOf(string axis) =>
        Columns.ToList().FindIndex(c => c.Kind == "axis" && (c.Name == axis || c.Name == "axis." + axis));

    /// <summary>A cell as a number for statistics and figures: integers and reals (NaN as missing), a verdict as 1
    /// (holds) or 0 (fails); null otherwise.</summary>
    public static double? NumberOf(object? value) =>
        value switch
        {
            long l => l,
            double d when !double.IsNaN(d) => d,
            "holds" => 1,
            "fails" => 0,
            _ => null,
        };

    /// <summary>Builds the index from the sweep at <paramref name="dir"/> and the runs' statuses.</summary>
    public static SweepIndex Build(string dir, SweepManifest manifest, IReadOnlyList<SweepRunStatus> statuses)
    {
        var records = new List<Dictionary<string, object?>>();
        var summaryKeys = new List<string>();
        foreach (var status in statuses)
        {
            var row = new Dictionary<string, object?>
            {
                ["index"] = (long)status.Point.Index,
                ["id"] = status.Point.Id,
                ["status"] = status.State.ToString().ToLowerInvariant(),
                ["error"] = status.State == SweepRunState.Failed ? status.Reason : null,
                ["wall_seconds"] = status.WallSeconds,
                ["started_utc"] = status.Info?.StartedUtc.ToString("O", CultureInfo.InvariantCulture),
                ["config_hash"] = status.Info?.ConfigHash,
            };
            foreach (var axis in manifest.Axes)
                row["axis:" + axis] = status.Point.Values.TryGetValue(axis, out var v) ? Scalar(v) : null;
            string summary = Path.Combine(SweepManifest.RunPath(dir, status.Point), RunDirectory.SummaryFile);
            if (status.State == SweepRunState.Done && File.Exists(summary))
                foreach (var (key, value) in Json.ReadSummary(summary))
                {
                    if (!summaryKeys.Contains(key))
                        summaryKeys.Add(key);
                    row["summary:" + key] = value switch
                    {
                        bool b => b ? 1L : 0L,
                        JsonElement e => e.GetRawText(),
                        _ => value,
                    };
                }
            records.Add(row);
        }
        var taken = new HashSet<string>(RunColumns);
        var keys = new List<(string Key, string Name, string Kind)>();
        keys.AddRange(RunColumns.Select(c => (c, c, "run")));
        foreach (var axis in manifest.Axes)
            keys.Add(("axis:" + axis, Unique(axis, "axis.", taken), "axis"));
        foreach (var key in summaryKeys)
            keys.Add(("summary:" + key, Unique(key, "summary.", taken), "summary"));
        var columns = keys.Select(k => new SweepColumn(
                k.Name,
                k.Kind,
                k.Kind == "run" ? RunColumnType(k.Name) : TypeOf(records.Select(r => r.GetValueOrDefault(k.Key)))
            ))
            .ToList();
        var rows = records
            .Select(r =>
                (IReadOnlyList<object?>)
                    keys.Select((k, i) => Coerce(r.GetValueOrDefault(k.Key), columns[i].Type)).ToList()
            )
            .ToList();
        return new SweepIndex(columns, rows);
    }

    private static string Unique(string name, string prefix, HashSet<string> taken) =>
        taken.Add(name) ? name
        : taken.Add(prefix + name) ? prefix + name
        : throw new InvalidOperationException(name);

    /// <summary>A JSON axis value as a scalar: integers as long, other numbers as double, strings and booleans as
    /// themselves (booleans as 0/1), anything else as its JSON text.</summary>
    public static object? Scalar(JsonElement value) =>
        value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out long l) && !value.GetRawText().Contains('.') => l,
            JsonValueKind.Number => value.GetDouble(),
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => 1L,
            JsonValueKind.False => 0L,
            JsonValueKind.Null => null,
            _ => value.GetRawText(),
        };

    private static string RunColumnType(string name) =>
        name switch
        {
            "index" => "integer",
            "wall_seconds" => "real",
            _ => "text",
        };

    private static string TypeOf(IEnumerable<object?> values)
    {
        var present = values.Where(v => v is not null).ToList();
        if (present.Count > 0 && present.All(v => v is long))
            return "integer";
        if (present.Count > 0 && present.All(v => v is long or double))
            return "real";
        return present.Count == 0 ? "real" : "text";
    }

    private static object? Coerce(object? value, string type) =>
        value switch
        {
            null => null,
            long l when type == "real" => (double)l,
            long or double when type == "text" => Convert.ToString(value, CultureInfo.InvariantCulture),
            _ => value,
        };
}
