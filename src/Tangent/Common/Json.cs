using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tangent;

/// <summary>The one JSON dialect of run directories: snake_case keys, indented, NaN/Infinity allowed.</summary>
public static class Json
{
    /// <summary>Serializer options shared by run.json, summary.json and configs.</summary>
    public static JsonSerializerOptions Options { get; } =
        new()
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        };

    /// <summary>Serializes <paramref name="value"/> in the run-directory dialect.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>
    /// Reads a JSON config file of type <typeparamref name="T"/>, strictly: a missing, unreadable or malformed file, an
    /// unknown key, a null, a value of the wrong type or an enum value that is not one of its names is a
    /// <see cref="ConfigException"/> naming the key (<see cref="ConfigSchema"/>) and pointing at
    /// <paramref name="example"/>.
    /// </summary>
    public static T LoadConfig<T>(string path, string example)
    {
        ConfigException.Require(
            !Directory.Exists(path),
            "--config",
            $"'{path}' is a directory",
            $"pass a JSON file such as {example}"
        );
        ConfigException.Require(
            File.Exists(path),
            "--config",
            $"file '{path}' does not exist",
            $"pass a JSON file such as {example}"
        );
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException("--config", $"cannot read '{path}': {e.Message}", "check the file's permissions");
        }
        return ParseConfig<T>(text, $"'{path}'");
    }

    /// <summary>
    /// Parses config text strictly (see <see cref="LoadConfig{T}"/>); <paramref name="source"/> names it in errors and
    /// <paramref name="prefix"/> goes before every key path (e.g. <c>--set </c>).
    /// </summary>
    public static T ParseConfig<T>(string text, string source, string prefix = "")
    {
        ConfigException.Require(
            !string.IsNullOrWhiteSpace(text),
            "--config",
            $"{source} is empty",
            "write a JSON object such as {\"steps\": 1000} (docs/config.md)"
        );
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new ConfigException(
                "--config",
                $"{source} is not valid JSON: {e.Message.ReplaceLineEndings(" ")}",
                "fix the syntax (docs/config.md)"
            );
        }
        using (document)
            return Read<T>(document.RootElement, prefix);
    }

    /// <summary>Checks <paramref name="json"/> against <typeparamref name="T"/> (<see cref="ConfigSchema"/>), then
    /// reads it.</summary>
    public static T Read<T>(JsonElement json, string prefix = "") => (T)Read(typeof(T), json, prefix);

    /// <summary>Checks <paramref name="json"/> against <paramref name="type"/> (<see cref="ConfigSchema"/>), then reads
    /// it.</summary>
    public static object Read(Type type, JsonElement json, string prefix = "")
    {
        ConfigSchema.Check(type, json, prefix);
        object value;
        try
        {
            value = json.Deserialize(type, Options) ?? throw new JsonException("null document");
        }
        catch (JsonException e)
        {
            // The schema check should have caught every shape error; whatever is left still gets one line.
            string field = e.Path is { Length: > 2 } p ? prefix + p.TrimStart('$', '.') : "--config";
            throw new ConfigException(
                field,
                $"does not fit the config: {e.Message.ReplaceLineEndings(" ")}",
                "see docs/config.md for the schema"
            );
        }
        ConfigSchema.CheckComputed(value, json, prefix);
        return value;
    }

    /// <summary>Deserializes a run-directory JSON document.</summary>
    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("empty JSON document");

    /// <summary>Reads a summary.json back as ordered fields: numbers as double, strings, booleans and nulls as
    /// themselves, anything else as its <see cref="JsonElement"/>.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> ReadSummary(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc
            .RootElement.EnumerateObject()
            .Select(p => new KeyValuePair<string, object?>(
                p.Name,
                p.Value.ValueKind switch
                {
                    JsonValueKind.Number => p.Value.GetDouble(),
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Null => null,
                    _ => p.Value.Clone(),
                }
            ))
            .ToList();
    }
}
