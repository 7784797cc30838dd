namespace Tangent.Tests.Style;

/// <summary>
/// The code reads at 120 characters (STYLE.md, and CSharpier's printWidth in .csharpierrc.json): no line of C# in src/,
/// tests/ or bench/ is longer, counted in UTF-8 bytes as the project's review tools count it (a Σ is two), which is
/// stricter than counting characters.
/// </summary>
public class LineLengthTests
{
    private const int Limit = 120;

    [Fact]
    public void NoLineOfCodeIsLongerThan120Characters()
    {
        string root = Cli.BadInputTests.RepoRoot();
        var offenders = new List<string>();
        foreach (var folder in new[] { "src", "tests", "bench" })
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj"))
                continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (lines[i].Length > Limit)
                    offenders.Add($"{relative}:{i + 1} ({lines[i].Length})");
        }
        Assert.True(
            offenders.Count == 0,
            $"{offenders.Count} lines over {Limit}: {string.Join(", ", offenders.Take(20))}"
        );
    }
}
