namespace Tangent;

/// <summary>
/// A bad input value, reported as one line that names the field and says how to fix it. Configs are validated once at
/// the edge; everything inside trusts them.
/// </summary>
public sealed class ConfigException(string field, string problem, string fix) : Exception($"{field}: {problem}; {fix}")
{
    /// <summary>The option or config key at fault, e.g. <c>--width</c>.</summary>
    public string Field { get; } = field;

    /// <summary>Throws unless <paramref name="ok"/>.</summary>
    public static void Require(bool ok, string field, string problem, string fix)
    {
        if (!ok)
            throw new ConfigException(field, problem, fix);
    }
}
