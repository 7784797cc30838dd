using Tangent.Store;

namespace Tangent.Tests.Store;

/// <summary>A failed write leaves the old file whole and no temporary behind.</summary>
public class AtomicFileTests
{
    [Fact]
    public void FailedWriteKeepsPreviousContentAndLeavesNoTemporary()
    {
        using var dir = new TempDir();
        string path = dir.File("x.txt");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(
                path,
                s =>
                {
                    s.Write("partial new content"u8);
                    throw new InvalidOperationException("crash midway");
                }
            )
        );
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void WriteReplacesContentAndCreatesDirectories()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "a", "b", "y.txt");
        AtomicFile.WriteAllText(path, "one");
        AtomicFile.WriteAllText(path, "two");
        Assert.Equal("two", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }
}
