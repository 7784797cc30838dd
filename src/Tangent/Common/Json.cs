using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tangent;

/// <summary>The one JSON dialect of run directories: snake_case keys, indented, NaN/Infinity allowed.</summary>
public static class Json
{
    /// <summary>Serializer options shared by run.json, summary.json and configs.</summary>
    public static JsonSerializerOptions Options { get; } = new()
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
    /// Reads a JSON config file of type <typeparamref name="T"/>; a missing or malformed file is a <see cref="ConfigException"/>
    /// naming <c>--config</c> and pointing at <paramref name="example"/>.
    /// </summary>
    public static T LoadConfig<T>(string path, string example)
    {
        ConfigException.Require(File.Exists(path), "--config", $"file '{path}' does not exist", $"pass a JSON file such as {example}");
        try { return Deserialize<T>(File.ReadAllText(path)); }
        catch (JsonException e)
        {
            throw new ConfigException("--config", $"'{path}' is not a valid config: {e.Message.ReplaceLineEndings(" ")}", "see docs/config.md for the schema");
        }
    }

    /// <summary>Deserializes a run-directory JSON document.</summary>
    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("empty JSON document");
}
