using Tangent.Data;
using static TorchSharp.torch;

namespace Tangent.Tests.Data;

/// <summary>IDX files (MNIST format), plain and gzipped, and the Fashion-MNIST loader on a generated
/// directory.</summary>
public class IdxTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTripsPlainAndGzipped(bool gzip)
    {
        using var dir = new TempDir();
        var data = Enumerable.Range(0, 24).Select(i => (byte)(i * 7)).ToArray();
        Idx.Write(dir.File("a"), data, [2, 3, 4], gzip);
        var read = Idx.Read(dir.File("a"));
        Assert.Equal([2, 3, 4], read.Shape);
        Assert.Equal(data, read.Data);
    }

    [Fact]
    public void TruncatedFileIsRejected()
    {
        using var dir = new TempDir();
        Idx.Write(dir.File("a"), new byte[24], [2, 3, 4], gzip: false);
        File.WriteAllBytes(dir.File("b"), File.ReadAllBytes(dir.File("a"))[..20]);
        Assert.Throws<InvalidDataException>(() => Idx.Read(dir.File("b")));
    }

    [Fact]
    public void LoadsAnMnistFormatDirectory()
    {
        using var dir = new TempDir();
        SyntheticMnist.Write(dir.Path, 50, 20);
        Assert.True(FashionMnist.Available(dir.Path));
        var (x, y) = FashionMnist.Load(dir.Path, "train", 30);
        Assert.Equal(new long[] { 30, 784 }, x.shape);
        Assert.Equal(new long[] { 30 }, y.shape);
        Assert.InRange(x.max().item<double>(), 0.5, 1.0);
        Assert.InRange(y.max().item<long>(), 0, 9);
    }

    [Fact]
    public void MissingDirectorySaysHowToGetTheData()
    {
        var e = Assert.Throws<ConfigException>(() => FashionMnist.Load("/nonexistent", "train"));
        Assert.Equal("--data", e.Field);
        Assert.Contains("dataset-fashion-mnist", e.Message);
    }
}

/// <summary>Test fixture: an MNIST-format directory of random images whose label is the brightest region (learnable
/// structure).</summary>
public static class SyntheticMnist
{
    public static void Write(string dir, int train, int test, int seed = 0)
    {
        var rng = new Random(seed);
        foreach (var (split, count) in new[] { ("train", train), ("t10k", test) })
        {
            var images = new byte[count * 784];
            var labels = new byte[count];
            for (int i = 0; i < count; i++)
            {
                int label = rng.Next(10);
                labels[i] = (byte)label;
                for (int p = 0; p < 784; p++)
                {
                    int row = p / 28,
                        col = p % 28;
                    bool bright = (row / 7 + 4 * (col / 14)) % 10 == label;
                    images[i * 784 + p] = (byte)Math.Clamp(rng.Next(60) + (bright ? 150 : 0), 0, 255);
                }
            }
            Idx.Write(Path.Combine(dir, $"{split}-images-idx3-ubyte.gz"), images, [count, 28, 28], gzip: true);
            Idx.Write(Path.Combine(dir, $"{split}-labels-idx1-ubyte"), labels, [count], gzip: false);
        }
    }
}
