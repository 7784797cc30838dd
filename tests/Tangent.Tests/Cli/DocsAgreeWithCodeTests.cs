using System.CommandLine;
using System.Reflection;
using System.Text.RegularExpressions;
using Tangent.Cli;
using Tangent.Commands;

namespace Tangent.Tests.Cli;

/// <summary>
/// The documentation names what the code accepts: every config key and enum value (from the config records themselves)
/// is in docs/config.md, and every option of every command (from the command definitions) is in the README's
/// command-line reference.
/// </summary>
public class DocsAgreeWithCodeTests
{
    private static string Read(params string[] path) =>
        File.ReadAllText(Path.Combine([BadInputTests.RepoRoot(), .. path]));

    private static IEnumerable<(string Key, Type Type)> Keys(Type type, string prefix)
    {
        foreach (
            var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.SetMethod is { IsPublic: true })
        )
        {
            string key = prefix + (Json.Options.PropertyNamingPolicy!.ConvertName(p.Name));
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            yield return (key, t);
            if (t.IsClass && t.Namespace?.StartsWith("Tangent", StringComparison.Ordinal) == true)
                foreach (var nested in Keys(t, key + "."))
                    yield return nested;
        }
    }

    [Theory]
    [InlineData(typeof(Tangent.Training.TrainConfig))]
    [InlineData(typeof(Tangent.Commands.NtkConfigFile))]
    public void EveryConfigKeyAndEnumValueIsDocumented(Type config)
    {
        string docs = Read("docs", "config.md");
        var missing = new List<string>();
        var lines = docs.Split('\n');
        foreach (var (key, type) in Keys(config, ""))
        {
            // The full key in backticks, or its last part in a table row that also names its section
            // ("`optimizer.…").
            string leaf = key.Split('.')[^1],
                section = key.Contains('.') ? key[..(key.LastIndexOf('.') + 1)] : "";
            bool documented =
                docs.Contains($"`{key}`", StringComparison.Ordinal)
                || (
                    section.Length > 0
                    && lines.Any(l =>
                        l.Contains($"`{leaf}`", StringComparison.Ordinal)
                        && l.Contains($"`{section}", StringComparison.Ordinal)
                    )
                );
            if (!documented)
                missing.Add(key);
            if (!type.IsEnum)
                continue;
            // Enum names as the serializer writes them, independently of the schema checker.
            foreach (var value in Enum.GetValues(type))
            {
                string name = System.Text.Json.JsonSerializer.Serialize(value, type, Json.Options).Trim('"');
                if (!docs.Contains($"`{name}`", StringComparison.Ordinal))
                    missing.Add($"{key} = {name}");
            }
        }
        Assert.True(missing.Count == 0, "docs/config.md does not mention: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryCommandOptionIsInTheReadmeReference()
    {
        string readme = Read("README.md");
        int start = readme.IndexOf("## Command-line reference", StringComparison.Ordinal);
        int end = readme.IndexOf("## The run directory", StringComparison.Ordinal);
        string reference = readme[start..end];
        string[] common = ["--out", "--force", "--threads", "--help", "-h", "-?", "/?", "--verbose"];
        var missing = new List<string>();
        foreach (var command in TangentCli.Commands(TextWriter.Null, TextWriter.Null))
        {
            // The command's rows of the table, and for the demo its own option table.
            var rows = reference
                .Split('\n')
                .Where(l => l.StartsWith($"| `tangent {command.Name}", StringComparison.Ordinal))
                .ToList();
            Assert.True(rows.Count > 0, $"the README has no row for tangent {command.Name}");
            string text = string.Join('\n', rows) + (command.Name == "demo" ? reference : "");
            foreach (var option in command.Options.Where(o => !common.Contains(o.Name)))
                if (!Regex.IsMatch(text, $@"`[^`]*{Regex.Escape(option.Name)}(?![\w-])"))
                    missing.Add($"{command.Name} {option.Name}");
        }
        Assert.True(missing.Count == 0, "README's command-line reference lacks: " + string.Join(", ", missing));
    }
}
