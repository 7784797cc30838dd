using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tangent;

/// <summary>
/// Sets values of a config record by their snake_case JSON keys (dots for nesting), then reads the record back
/// strictly (<see cref="ConfigSchema"/>): the one override mechanism of <c>tangent study --set</c> and of a sweep's
/// axes. An unknown key, a key below a value that is not an object, or a value of the wrong type is a
/// <see cref="ConfigException"/> naming the key after <c>prefix</c> (e.g. <c>--set </c> or <c>grid.</c>).
/// </summary>
public static class ConfigOverride
{
    /// <summary>
    /// Returns <paramref name="config"/> with each key of <paramref name="assignments"/> set to its JSON value. A key
    /// the record has but its JSON leaves out (a null written as absent) may still be set.
    /// </summary>
    public static T Apply<T>(T config, IEnumerable<KeyValuePair<string, JsonNode?>> assignments, string prefix)
        where T : notnull
    {
        var node = JsonSerializer.SerializeToNode(config, config.GetType(), Json.Options)!.AsObject();
        ConfigSchema.StripComputed(node, config.GetType());
        foreach (var (key, value) in assignments)
            Set(node, config.GetType(), key, value, prefix);
        return (T)Json.Read(config.GetType(), JsonSerializer.SerializeToElement(node, Json.Options), prefix);
    }

    /// <summary>A <c>key=value</c> text's value as JSON: JSON when it parses (numbers, true/false, [lists],
    /// {objects}), otherwise the bare text as a string.</summary>
    public static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static void Set(JsonObject node, Type type, string key, JsonNode? value, string prefix)
    {
        ConfigException.Require(
            key.Length > 0 && key.Split('.').All(p => p.Length > 0),
            prefix + key,
            "is not a config key",
            "write a snake_case key with dots for nesting, e.g. optimizer.lr"
        );
        var parts = key.Split('.');
        JsonObject target = node;
        Type? level = type;
        string path = "";
        foreach (var part in parts[..^1])
        {
            level = level is null ? null : PropertyType(level, part);
            path = path.Length == 0 ? part : $"{path}.{part}";
            if (target.ContainsKey(part) && target[part] is not JsonObject)
                throw new ConfigException(
                    prefix + path,
                    $"is {(target[part] is null ? "null" : "not an object")}, so it has no key "
                        + $"'{key[(path.Length + 1)..]}'",
                    $"set the whole object, e.g. {prefix}{path}={{...}}"
                );
            target = target[part] as JsonObject ?? throw UnknownKey(prefix, path, target);
        }
        bool known = level is not null && ConfigSchema.Keys(level).Contains(parts[^1]);
        if (!target.ContainsKey(parts[^1]) && !known)
            throw UnknownKey(prefix, key, target);
        target[parts[^1]] = value?.DeepClone();
    }

    private static Type? PropertyType(Type type, string jsonName)
    {
        var property = type.GetProperties()
            .FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == jsonName);
        return property is null ? null : Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
    }

    private static ConfigException UnknownKey(string prefix, string key, JsonObject level)
    {
        var names = level.Select(p => p.Key).ToList();
        string last = key.Split('.')[^1];
        return ConfigSchema.Nearest(last, names) is { } near
            ? new ConfigException(prefix + key, "unknown key", $"did you mean \"{key[..^last.Length]}{near}\"?")
            : new ConfigException(prefix + key, "unknown key", $"keys here are: {string.Join(", ", names)}");
    }
}
