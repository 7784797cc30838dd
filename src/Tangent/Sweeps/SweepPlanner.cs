using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tangent.Commands;
using Tangent.Studies;
using Tangent.Training;

namespace Tangent.Sweeps;

/// <summary>
/// <c>tangent sweep plan</c>: reads a <see cref="SweepFile"/>, expands its axes and resolves every point into a full
/// config that reads back strictly — so an axis over an unknown key or a value of the wrong type is refused at plan
/// time, naming the axis, before anything runs.
/// </summary>
public static class SweepPlanner
{
    /// <summary>Plans the sweep file at <paramref name="path"/>.</summary>
    public static SweepManifest Plan(string path)
    {
        var file = Json.LoadConfig<SweepFile>(path, "docs/examples/sweep-teacher.json");
        string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        ConfigException.Require(file.Seeds >= 1, "seeds", $"must be at least 1, got {file.Seeds}", "use 1 or more");
        var grid = Axes(file.Grid, "grid");
        var zip = Axes(file.Zip, "zip");
        var fixedValues = Assignments(file.Set, "set");
        CheckZip(zip);
        var keys = grid.Select(a => a.Key).Concat(zip.Select(a => a.Key)).ToList();
        foreach (var key in keys.GroupBy(k => k).Where(g => g.Count() > 1))
            throw new ConfigException(key.Key, "is an axis twice", "keep it in one of grid and zip");
        ConfigException.Require(
            file.Seeds == 1 || !keys.Contains(file.SeedKey),
            file.SeedKey,
            $"is both an axis and the seed key of seeds = {file.Seeds}",
            "drop the axis or set seeds to 1"
        );
        var points = Points(grid, zip);
        var zipKeys = zip.Select(a => a.Key).ToHashSet();
        var resolve = Resolver(file, dir, key => zipKeys.Contains(key) ? "zip." : "grid.");
        bool seeded = file.Seeds > 1;
        var runs = new List<SweepPoint>();
        foreach (var point in points)
            for (int s = 0; s < file.Seeds; s++)
            {
                var values = point.ToList();
                var config = resolve(fixedValues, values, seeded ? s : null);
                var axisValues = values.ToDictionary(v => v.Key, v => JsonSerializer.SerializeToElement(v.Value));
                if (seeded)
                    axisValues[file.SeedKey] = Lookup(config, file.SeedKey);
                runs.Add(
                    new SweepPoint
                    {
                        Index = runs.Count,
                        Id = IdOf(config),
                        Values = axisValues,
                        Config = config,
                    }
                );
            }
        foreach (var twin in runs.GroupBy(r => r.Id).Where(g => g.Count() > 1))
            throw new ConfigException(
                "grid",
                $"runs {string.Join(" and ", twin.Select(r => r.Index))} resolve to the same config",
                "remove the repeated axis value"
            );
        return new SweepManifest
        {
            Command = file.Command,
            Study = file.Study,
            Source = System.IO.Path.GetFullPath(path),
            Axes = seeded ? [.. keys, file.SeedKey] : keys,
            SeedKey = file.SeedKey,
            Runs = runs,
        };
    }

    /// <summary>The stable id of a resolved config: the first 16 hex digits of the SHA-256 of its compact
    /// JSON.</summary>
    public static string IdOf(JsonElement config) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(config))))[..16];

    private delegate JsonElement Resolve(
        IReadOnlyList<KeyValuePair<string, JsonNode?>> fixedValues,
        IReadOnlyList<KeyValuePair<string, JsonNode?>> values,
        int? seedOffset
    );

    private static Resolve Resolver(SweepFile file, string dir, Func<string, string> section)
    {
        switch (file.Command)
        {
            case "train":
            {
                ConfigException.Require(
                    file.Config is not null,
                    "config",
                    "is required for command train",
                    "give the base train config, e.g. \"config\": \"base.json\""
                );
                ConfigException.Require(
                    file.Study is null && file.Preset is null,
                    file.Study is null ? "preset" : "study",
                    "is only for command study",
                    "remove it, or set \"command\": \"study\""
                );
                var baseConfig = TrainRun.Load(System.IO.Path.GetFullPath(file.Config!, dir));
                return (fixedValues, values, seed) =>
                {
                    var config = Override(baseConfig, fixedValues, "set.");
                    config = Override(config, Seeded(config, values, file.SeedKey, seed), section).Validate();
                    return JsonSerializer.SerializeToElement(config, Json.Options);
                };
            }
            case "study":
            {
                ConfigException.Require(
                    file.Study is not null,
                    "study",
                    "is required for command study",
                    "name the study, e.g. \"study\": \"grokking\" (tangent study --list)"
                );
                ConfigException.Require(
                    file.Config is null,
                    "config",
                    "is only for command train",
                    "remove it; a study sweep starts from \"preset\""
                );
                var study = StudyCatalog.Find(file.Study!);
                string preset = file.Preset ?? "quick";
                ConfigException.Require(
                    preset is "quick" or "full",
                    "preset",
                    $"unknown preset '{preset}'",
                    "use quick or full"
                );
                object baseConfig = study.Preset(preset);
                return (fixedValues, values, seed) =>
                {
                    object config = Override(baseConfig, fixedValues, "set.");
                    config = Override(config, Seeded(config, values, file.SeedKey, seed), section);
                    Seeds.CheckAll(config, "grid.");
                    return JsonSerializer.SerializeToElement(config, config.GetType(), Json.Options);
                };
            }
            default:
                throw new ConfigException(
                    "command",
                    $"\"{file.Command}\" is not a sweep command",
                    "use \"train\" or \"study\""
                );
        }
    }

    private static T Override<T>(T config, IEnumerable<KeyValuePair<string, JsonNode?>> values, string prefix)
        where T : notnull => ConfigOverride.Apply(config, values, prefix);

    /// <summary>Applies each value on its own, so that an error names the section (grid or zip) of its axis.</summary>
    private static T Override<T>(
        T config,
        IEnumerable<KeyValuePair<string, JsonNode?>> values,
        Func<string, string> section
    )
        where T : notnull
    {
        foreach (var value in values)
            config = ConfigOverride.Apply(config, [value], section(value.Key));
        return config;
    }

    /// <summary>The point's values, then the seed key set to base + offset (the base read from the config).</summary>
    private static IReadOnlyList<KeyValuePair<string, JsonNode?>> Seeded(
        object config,
        IReadOnlyList<KeyValuePair<string, JsonNode?>> values,
        string seedKey,
        int? offset
    )
    {
        if (offset is not { } s)
            return values;
        var json = JsonSerializer.SerializeToElement(config, config.GetType(), Json.Options);
        JsonElement current;
        try
        {
            current = Lookup(json, seedKey);
        }
        catch (KeyNotFoundException)
        {
            throw new ConfigException(
                "seed_key",
                $"'{seedKey}' is not a key of the config",
                "name the config's seed key, e.g. \"seed\""
            );
        }
        ConfigException.Require(
            current.ValueKind == JsonValueKind.Number && current.TryGetInt64(out _),
            "seed_key",
            $"'{seedKey}' is not an integer key (it holds {current.GetRawText()})",
            "name an integer seed key, e.g. \"seed\""
        );
        return [.. values, new(seedKey, JsonValue.Create(current.GetInt64() + s))];
    }

    private static JsonElement Lookup(JsonElement config, string key)
    {
        var element = config;
        foreach (var part in key.Split('.'))
            element =
                element.ValueKind == JsonValueKind.Object && element.TryGetProperty(part, out var child)
                    ? child
                    : throw new KeyNotFoundException(key);
        return element;
    }

    private static List<KeyValuePair<string, List<JsonNode?>>> Axes(JsonElement? section, string name)
    {
        if (section is not { } json)
            return [];
        ConfigException.Require(
            json.ValueKind == JsonValueKind.Object,
            name,
            "expected an object of config keys and lists of values",
            $"write e.g. \"{name}\": {{\"optimizer.lr\": [0.01, 0.1]}}"
        );
        var axes = new List<KeyValuePair<string, List<JsonNode?>>>();
        foreach (var axis in json.EnumerateObject())
        {
            string field = $"{name}.{axis.Name}";
            ConfigException.Require(
                axis.Value.ValueKind == JsonValueKind.Array,
                field,
                $"expected a list of values, got {axis.Value.ValueKind.ToString().ToLowerInvariant()}",
                $"write e.g. \"{axis.Name}\": [1, 2]"
            );
            var values = axis.Value.EnumerateArray().Select(v => JsonNode.Parse(v.GetRawText())).ToList();
            ConfigException.Require(values.Count > 0, field, "has no values", "give at least one value");
            axes.Add(new(axis.Name, values));
        }
        ConfigException.Require(axes.Count > 0, name, "is empty", $"give at least one axis, or leave \"{name}\" out");
        return axes;
    }

    private static List<KeyValuePair<string, JsonNode?>> Assignments(JsonElement? section, string name)
    {
        if (section is not { } json)
            return [];
        ConfigException.Require(
            json.ValueKind == JsonValueKind.Object,
            name,
            "expected an object of config keys and values",
            $"write e.g. \"{name}\": {{\"steps\": 500}}"
        );
        return json.EnumerateObject()
            .Select(p => new KeyValuePair<string, JsonNode?>(p.Name, JsonNode.Parse(p.Value.GetRawText())))
            .ToList();
    }

    private static void CheckZip(List<KeyValuePair<string, List<JsonNode?>>> zip)
    {
        if (zip.Count == 0)
            return;
        int length = zip[0].Value.Count;
        foreach (var (key, values) in zip)
            ConfigException.Require(
                values.Count == length,
                $"zip.{key}",
                $"has {values.Count} values but zip.{zip[0].Key} has {length}",
                "give zipped axes lists of the same length"
            );
    }

    /// <summary>Every point: the grid's Cartesian product (first axis slowest) times the zipped values.</summary>
    private static List<List<KeyValuePair<string, JsonNode?>>> Points(
        List<KeyValuePair<string, List<JsonNode?>>> grid,
        List<KeyValuePair<string, List<JsonNode?>>> zip
    )
    {
        var points = new List<List<KeyValuePair<string, JsonNode?>>> { new() };
        foreach (var (key, values) in grid)
            points = points.SelectMany(p => values.Select(v => p.Append(new(key, v)).ToList())).ToList();
        if (zip.Count == 0)
            return points;
        int length = zip[0].Value.Count;
        return points
            .SelectMany(p =>
                Enumerable.Range(0, length).Select(i => p.Concat(zip.Select(z => KeyValue(z.Key, z.Value[i]))).ToList())
            )
            .ToList();
    }

    private static KeyValuePair<string, JsonNode?> KeyValue(string key, JsonNode? value) => new(key, value);
}
