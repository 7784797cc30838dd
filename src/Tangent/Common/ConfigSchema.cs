using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tangent;

/// <summary>
/// Checks a JSON document against the shape of a config record before it is deserialized, so that every mistake is one
/// line naming the key: unknown keys (with the nearest valid key), nulls where a value is needed, numbers of the wrong
/// kind ("expected an integer"), enum values that are not one of the listed names, missing required keys. The schema is
/// the record itself: its settable public properties under <see cref="Json.Options"/>' naming policy.
/// </summary>
public static class ConfigSchema
{
    /// <summary>
    /// Throws a <see cref="ConfigException"/> for the first place where <paramref name="json"/> does not fit
    /// <paramref name="type"/>. Field names are <paramref name="prefix"/> followed by the JSON path (dots, [i]).
    /// </summary>
    public static void Check(Type type, JsonElement json, string prefix = "")
    {
        var nullability = new NullabilityInfoContext();
        CheckValue(type, nullable: false, json, prefix, nullability, "the config");
    }

    /// <summary>The JSON names of the settable properties of <paramref name="type"/> (the keys a config may
    /// hold).</summary>
    public static IReadOnlyList<string> Keys(Type type) => Members(type).Select(m => m.Name).ToList();

    private sealed record Member(string Name, PropertyInfo Property, bool Required);

    private static IEnumerable<Member> Members(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always })
            .Select(p => new Member(
                JsonName(p),
                p,
                p.CustomAttributes.Any(a => a.AttributeType.Name == "RequiredMemberAttribute")
            ));

    private static IEnumerable<(string Name, PropertyInfo Property)> Computed(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p =>
                p.SetMethod is null
                && p.GetIndexParameters().Length == 0
                && p.DeclaringType?.Namespace?.StartsWith("Tangent", StringComparison.Ordinal) == true
                && p.Name != "EqualityContract"
            )
            .Select(p => (JsonName(p), p));

    /// <summary>
    /// Computed keys in <paramref name="json"/> (read-only properties such as <c>task.input_dimension</c>, which
    /// run.json records) must equal what <paramref name="value"/> computes; a config copied from a run.json reads back,
    /// and a config that tries to set a computed value is refused instead of silently ignored.
    /// </summary>
    public static void CheckComputed(object value, JsonElement json, string prefix = "")
    {
        if (json.ValueKind != JsonValueKind.Object)
            return;
        var type = value.GetType();
        foreach (var (name, property) in Computed(type))
        {
            if (!json.TryGetProperty(name, out var given))
                continue;
            var actual = JsonSerializer.SerializeToElement(
                property.GetValue(value),
                property.PropertyType,
                Json.Options
            );
            ConfigException.Require(
                JsonElement.DeepEquals(actual, given),
                Join(prefix, name),
                $"is computed from the other keys (here {actual.GetRawText()}), not set; got {Show(given)}",
                "remove it, or change the keys it is computed from"
            );
        }
        foreach (var member in Members(type))
            if (
                json.TryGetProperty(member.Name, out var child)
                && child.ValueKind == JsonValueKind.Object
                && member.Property.GetValue(value) is { } nested
            )
                CheckComputed(nested, child, Join(prefix, member.Name));
    }

    /// <summary>Removes the computed keys of <paramref name="type"/> (and of its nested records) from
    /// <paramref name="node"/>.</summary>
    public static void StripComputed(System.Text.Json.Nodes.JsonObject node, Type type)
    {
        foreach (var (name, _) in Computed(type))
            node.Remove(name);
        foreach (var member in Members(type))
            if (node[member.Name] is System.Text.Json.Nodes.JsonObject child)
                StripComputed(
                    child,
                    Nullable.GetUnderlyingType(member.Property.PropertyType) ?? member.Property.PropertyType
                );
    }

    private static string JsonName(PropertyInfo p) =>
        p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name
        ?? Json.Options.PropertyNamingPolicy?.ConvertName(p.Name)
        ?? p.Name;

    // A path ending in a space or a dot is a bare prefix (e.g. "--set ", "grid."): keys follow it without a dot.
    private static string Join(string path, string key) =>
        path.Length == 0 || path.EndsWith(' ') || path.EndsWith('.') ? path + key : $"{path}.{key}";

    private static void CheckValue(
        Type type,
        bool nullable,
        JsonElement json,
        string path,
        NullabilityInfoContext ctx,
        string what
    )
    {
        var underlying = Nullable.GetUnderlyingType(type);
        if (json.ValueKind == JsonValueKind.Null)
        {
            ConfigException.Require(
                nullable || underlying is not null,
                Field(path),
                "must not be null",
                "give a value or leave the key out to use the default"
            );
            return;
        }
        type = underlying ?? type;
        if (type == typeof(JsonElement) || type == typeof(object))
            return;
        if (type.IsEnum)
            CheckEnum(type, json, path);
        else if (type == typeof(string))
            Expect(json, JsonValueKind.String, path, "a string", "put the value in quotes");
        else if (type == typeof(bool))
            ConfigException.Require(
                json.ValueKind is JsonValueKind.True or JsonValueKind.False,
                Field(path),
                $"expected true or false, got {Show(json)}",
                "write true or false without quotes"
            );
        else if (type == typeof(int) || type == typeof(long))
            CheckInteger(type, json, path);
        else if (type == typeof(double) || type == typeof(float))
            CheckNumber(json, path);
        else if (ElementType(type) is { } element)
            CheckList(element, json, path, ctx);
        else if (type.IsClass && !type.IsAbstract)
            CheckObject(type, json, path, ctx, what);
    }

    private static void CheckObject(Type type, JsonElement json, string path, NullabilityInfoContext ctx, string what)
    {
        ConfigException.Require(
            json.ValueKind == JsonValueKind.Object,
            Field(path),
            $"expected an object {{...}}, got {Show(json)}",
            $"give {what} as a JSON object of keys and values"
        );
        var members = Members(type).ToList();
        var byName = members.ToDictionary(m => m.Name, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            string key = Join(path, property.Name);
            ConfigException.Require(seen.Add(property.Name), key, "the key appears twice", "keep one of them");
            if (!byName.TryGetValue(property.Name, out var member))
            {
                // Computed values (run.json writes them) may be given; CheckComputed then requires them to agree.
                if (Computed(type).Any(c => c.Name == property.Name))
                    continue;
                throw new ConfigException(
                    key,
                    "unknown key",
                    Suggest(property.Name, members.Select(m => m.Name), path)
                );
            }
            var info = ctx.Create(member.Property);
            bool nullable = info.WriteState == NullabilityState.Nullable;
            CheckValue(member.Property.PropertyType, nullable, property.Value, key, ctx, $"'{key}'");
            if (info.GenericTypeArguments.Length == 1 && property.Value.ValueKind == JsonValueKind.Array)
                CheckListNulls(info.GenericTypeArguments[0], property.Value, key);
        }
        foreach (var member in members.Where(m => m.Required && !seen.Contains(m.Name)))
            throw new ConfigException(Join(path, member.Name), "missing key", $"add \"{member.Name}\" to {what}");
    }

    private static void CheckList(Type element, JsonElement json, string path, NullabilityInfoContext ctx)
    {
        ConfigException.Require(
            json.ValueKind == JsonValueKind.Array,
            Field(path),
            $"expected a list [...], got {Show(json)}",
            "write the values in square brackets, e.g. [1, 2]"
        );
        int i = 0;
        foreach (var item in json.EnumerateArray())
        {
            // Element nullability is checked by the caller (CheckListNulls), which sees the generic annotation.
            if (item.ValueKind != JsonValueKind.Null)
                CheckValue(element, nullable: true, item, $"{path}[{i}]", ctx, "each item");
            else if (element.IsValueType && Nullable.GetUnderlyingType(element) is null)
                throw new ConfigException($"{path}[{i}]", "must not be null", "remove the null or give a value");
            i++;
        }
    }

    private static void CheckListNulls(NullabilityInfo element, JsonElement json, string path)
    {
        if (element.ReadState == NullabilityState.Nullable || element.Type.IsValueType)
            return;
        int i = 0;
        foreach (var item in json.EnumerateArray())
        {
            ConfigException.Require(
                item.ValueKind != JsonValueKind.Null,
                $"{path}[{i}]",
                "must not be null",
                "remove the null or give a value"
            );
            i++;
        }
    }

    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
            return type.GetElementType();
        if (!type.IsGenericType || type == typeof(string))
            return null;
        var definition = type.GetGenericTypeDefinition();
        Type[] lists =
        [
            typeof(IReadOnlyList<>),
            typeof(List<>),
            typeof(IList<>),
            typeof(IEnumerable<>),
            typeof(IReadOnlyCollection<>),
            typeof(ICollection<>),
        ];
        return lists.Contains(definition) && typeof(IEnumerable).IsAssignableFrom(type)
            ? type.GetGenericArguments()[0]
            : null;
    }

    private static void CheckEnum(Type type, JsonElement json, string path)
    {
        var names = EnumNames(type);
        string list = string.Join(", ", names);
        ConfigException.Require(
            json.ValueKind == JsonValueKind.String,
            Field(path),
            $"expected one of {list}, got {Show(json)}",
            "give the name in quotes"
        );
        string value = json.GetString()!;
        ConfigException.Require(
            names.Contains(value, StringComparer.Ordinal),
            Field(path),
            $"\"{value}\" is not one of {list}",
            Nearest(value, names) is { } near ? $"did you mean \"{near}\"?" : "use one of the listed names"
        );
    }

    /// <summary>The JSON names of an enum's values, as <see cref="Json.Options"/> writes them.</summary>
    public static IReadOnlyList<string> EnumNames(Type type) =>
        Enum.GetValues(type)
            .Cast<object>()
            .Select(v => JsonSerializer.Serialize(v, type, Json.Options).Trim('"'))
            .ToList();

    private static void CheckInteger(Type type, JsonElement json, string path)
    {
        bool isInt = type == typeof(int);
        string kind = isInt ? "an integer" : "an integer (64-bit)";
        ConfigException.Require(
            json.ValueKind == JsonValueKind.Number,
            Field(path),
            $"expected {kind}, got {Show(json)}",
            "write a whole number without quotes, e.g. 1000"
        );
        bool fits = isInt ? json.TryGetInt32(out _) : json.TryGetInt64(out _);
        if (fits)
            return;
        bool whole = json.TryGetDouble(out double d) && Math.Floor(d) == d;
        bool inRange =
            whole && (isInt ? d >= int.MinValue && d <= int.MaxValue : d >= long.MinValue && d <= long.MaxValue);
        ConfigException.Require(
            !whole || inRange,
            Field(path),
            $"{json.GetRawText()} is out of range for {kind}",
            isInt
                ? $"use a value in [{int.MinValue}, {int.MaxValue}]"
                : $"use a value in [{long.MinValue}, {long.MaxValue}]"
        );
        ConfigException.Require(
            !whole,
            Field(path),
            $"expected {kind} in plain digits, got {json.GetRawText()}",
            $"write {d:0} instead"
        );
        throw new ConfigException(
            Field(path),
            $"expected {kind}, got {json.GetRawText()}",
            "write a whole number, e.g. 1000"
        );
    }

    private static void CheckNumber(JsonElement json, string path)
    {
        if (json.ValueKind == JsonValueKind.Number)
        {
            ConfigException.Require(
                json.TryGetDouble(out double d) && double.IsFinite(d),
                Field(path),
                $"{json.GetRawText()} is not a finite double",
                "use a smaller number"
            );
            return;
        }
        bool named = json.ValueKind == JsonValueKind.String && json.GetString() is "NaN" or "Infinity" or "-Infinity";
        ConfigException.Require(
            named,
            Field(path),
            $"expected a number, got {Show(json)}",
            "write a number without quotes, e.g. 0.05"
        );
    }

    private static void Expect(JsonElement json, JsonValueKind kind, string path, string what, string fix) =>
        ConfigException.Require(json.ValueKind == kind, Field(path), $"expected {what}, got {Show(json)}", fix);

    private static string Field(string path) => path.Trim().Length == 0 ? path + "config" : path;

    private static string Show(JsonElement json)
    {
        string text = json.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            _ => json.GetRawText(),
        };
        return text.Length > 40 ? text[..40] + "…" : text;
    }

    /// <summary>"did you mean …?" for a close key, else the list of valid keys.</summary>
    private static string Suggest(string key, IEnumerable<string> valid, string path)
    {
        var names = valid.ToList();
        if (Nearest(key, names) is { } near)
            return $"did you mean \"{Join(path, near)}\"?";
        string where = path.Trim().Length == 0 ? "the top level" : $"'{path}'";
        return $"the keys of {where} are {string.Join(", ", names)} (docs/config.md)";
    }

    /// <summary>The valid name closest to <paramref name="key"/> in edit distance, if it is close enough to be a
    /// typo.</summary>
    public static string? Nearest(string key, IEnumerable<string> valid)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in valid)
        {
            int d = EditDistance(key.ToLowerInvariant(), name.ToLowerInvariant());
            if (d < bestDistance)
                (best, bestDistance) = (name, d);
        }
        int allowed = Math.Max(1, Math.Min(key.Length, best?.Length ?? 0) / 3);
        return bestDistance <= allowed ? best : null;
    }

    /// <summary>Damerau–Levenshtein distance (optimal string alignment): insertions, deletions, substitutions,
    /// swaps.</summary>
    public static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
            d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++)
            d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        for (int j = 1; j <= b.Length; j++)
        {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
