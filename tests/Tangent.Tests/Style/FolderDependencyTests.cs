using System.Text.RegularExpressions;

namespace Tangent.Tests.Style;

/// <summary>
/// Data flows one way (STYLE.md): the library's concept folders depend on each other without circles. The graph is read
/// from the sources (<c>using Tangent.X</c> and qualified <c>Tangent.X.Name</c> references), so a new circle fails
/// here.
/// </summary>
public class FolderDependencyTests
{
    [Fact]
    public void ConceptFoldersDependOnEachOtherWithoutCircles()
    {
        string library = Path.Combine(Cli.BadInputTests.RepoRoot(), "src", "Tangent");
        var folders = Directory
            .GetDirectories(library)
            .Select(Path.GetFileName)
            .Where(f => f is not ("bin" or "obj"))
            .Select(f => f!)
            .ToHashSet();
        var edges = folders.ToDictionary(f => f, _ => new HashSet<string>());
        var reference = new Regex(@"(?:using (?:static )?Tangent\.(\w+))|(?:\bTangent\.(\w+)\.[A-Z])");
        foreach (var folder in folders)
        foreach (
            var file in Directory.EnumerateFiles(Path.Combine(library, folder), "*.cs", SearchOption.AllDirectories)
        )
        foreach (Match m in reference.Matches(File.ReadAllText(file)))
        {
            string target = m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value;
            if (target != folder && folders.Contains(target))
                edges[folder].Add(target);
        }
        Assert.NotEmpty(edges["Studies"]); // the graph was read at all

        var state = new Dictionary<string, int>(); // 1: on the current path, 2: done
        var path = new List<string>();
        List<string>? cycle = null;
        void Visit(string node)
        {
            if (cycle is not null)
                return;
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges[node].Order(StringComparer.Ordinal))
            {
                if (state.GetValueOrDefault(next) == 1)
                    cycle = [.. path.SkipWhile(p => p != next), next];
                else if (state.GetValueOrDefault(next) == 0)
                    Visit(next);
                if (cycle is not null)
                    return;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
        }
        foreach (var folder in folders.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(folder) == 0)
                Visit(folder);
        Assert.True(cycle is null, "folders depend on each other in a circle: " + string.Join(" → ", cycle ?? []));
    }
}
