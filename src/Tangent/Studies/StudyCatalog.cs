using System.Text.Json;
using System.Text.Json.Nodes;
using Tangent.Reports;
using Tangent.Store;

namespace Tangent.Studies;

/// <summary>The explicit table of studies, and the shared parts of running one.</summary>
public static class StudyCatalog
{
    /// <summary>Every study, by name.</summary>
    public static IReadOnlyList<IStudy> All { get; } =
    [
        new BenignOverfittingStudy(),
        new DoubleDescentStudy(),
        new GrokkingStudy(),
        new ImplicitBiasStudy(),
        new LazyRichStudy(),
        new MemorizationStudy(),
        new ReservoirAblationStudy(),
    ];

    /// <summary>The one-line error for a preset name other than quick or full.</summary>
    public static ConfigException UnknownPreset(string preset) =>
        new("--preset", $"unknown preset '{preset}'", "use quick or full");

    /// <summary>The study called <paramref name="name"/>, or a <see cref="ConfigException"/> listing the
    /// names.</summary>
    public static IStudy Find(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new ConfigException(
            "NAME",
            $"no study called '{name}'",
            $"choose one of {string.Join(", ", All.Select(s => s.Name))} (tangent study --list)"
        );

    /// <summary>
    /// Applies <c>key=value</c> overrides to a config record by its snake_case JSON keys (dots for nesting); values are
    /// JSON (numbers, true/false, [lists]) or bare strings. An unknown key or a bad value names the key.
    /// </summary>
    public static T Override<T>(T config, IEnumerable<string> assignments)
        where T : notnull
    {
        var node = JsonSerializer.SerializeToNode(config, config.GetType(), Json.Options)!.AsObject();
        ConfigSchema.StripComputed(node, config.GetType());
        foreach (var assignment in assignments)
        {
            int eq = assignment.IndexOf('=');
            ConfigException.Require(eq > 0, "--set", $"'{assignment}' is not key=value", "pass e.g. --set seeds=50");
            string key = assignment[..eq].Trim(),
                text = assignment[(eq + 1)..].Trim();
            var parts = key.Split('.');
            JsonObject target = node;
            Type? level = config.GetType();
            string path = "";
            foreach (var part in parts[..^1])
            {
                level = level is null ? null : PropertyType(level, part);
                path = path.Length == 0 ? part : $"{path}.{part}";
                if (target.ContainsKey(part) && target[part] is not JsonObject)
                    throw new ConfigException(
                        $"--set {path}",
                        $"is {(target[part] is null ? "null" : "not an object")}, so it has no key "
                            + $"'{key[(path.Length + 1)..]}'",
                        $"set the whole object, e.g. --set '{path}={{...}}'"
                    );
                target = target[part] as JsonObject ?? throw UnknownKey(path, target);
            }
            // A key the record has but its JSON leaves out (a null written as absent) may still be set.
            bool known = level is not null && ConfigSchema.Keys(level).Contains(parts[^1]);
            if (!target.ContainsKey(parts[^1]) && !known)
                throw UnknownKey(key, target);
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                value = JsonValue.Create(text);
            }
            target[parts[^1]] = value;
        }
        return (T)Json.Read(config.GetType(), JsonSerializer.SerializeToElement(node, Json.Options), "--set ");
    }

    private static Type? PropertyType(Type type, string jsonName)
    {
        var property = type.GetProperties()
            .FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == jsonName);
        return property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
    }

    private static ConfigException UnknownKey(string key, JsonObject level)
    {
        var names = level.Select(p => p.Key).ToList();
        string last = key.Split('.')[^1];
        return ConfigSchema.Nearest(last, names) is { } near
            ? new ConfigException($"--set {key}", "unknown key", $"did you mean \"{key[..^last.Length]}{near}\"?")
            : new ConfigException($"--set {key}", "unknown key", $"keys here are: {string.Join(", ", names)}");
    }

    /// <summary>Runs a study into a run directory: figures from the study, then summary.json with every verdict as
    /// named fields, and the report.</summary>
    public static StudyOutcome Execute(
        IStudy study,
        object config,
        RunDirectory run,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        var report = new HtmlReport($"Tangent study: {study.Name}");
        var outcome = study.Run(config, run, report, progress, cancel);
        var summary = new List<KeyValuePair<string, object?>>();
        foreach (var v in outcome.Verdicts)
        {
            summary.Add(
                new(
                    $"verdict_{v.Name}",
                    v.Holds switch
                    {
                        true => "holds",
                        false => "fails",
                        null => "undecided",
                    }
                )
            );
            summary.Add(new($"verdict_{v.Name}_measured", v.Measured));
        }
        summary.AddRange(outcome.Summary);
        run.WriteSummary(summary);
        var withVerdicts = new HtmlReport($"Tangent study: {study.Name}")
            .Paragraph(study.Description)
            .Heading("Verdicts")
            .Table(
                ["claim", "measured", "criterion", "verdict"],
                outcome.Verdicts.Select(v =>
                    (IReadOnlyList<string>)
                        [
                            v.Claim,
                            v.Measured,
                            v.Criterion,
                            v.Holds switch
                            {
                                true => "holds",
                                false => "fails",
                                null => "undecided",
                            },
                        ]
                )
            );
        run.WriteReport(withVerdicts.Append(report).Build());
        return outcome;
    }
}
