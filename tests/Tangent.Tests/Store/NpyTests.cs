using System.Buffers.Binary;
using System.Text;
using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Tests.Store;

/// <summary>.npy files follow the NumPy format specification (version 1.0) and round-trip.</summary>
public class NpyTests
{
    [Fact]
    public void HeaderFollowsNumpyFormatSpecification()
    {
        using var dir = new TempDir();
        string path = dir.File("a.npy");
        Npy.Write(path, new double[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        byte[] b = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, b[..8]);
        int headerLen = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8));
        Assert.Equal(0, (10 + headerLen) % 64); // the spec pads the header to a multiple of 64 bytes
        string header = Encoding.ASCII.GetString(b, 10, headerLen);
        Assert.EndsWith("\n", header);
        Assert.Equal("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", header.TrimEnd());
        Assert.Equal(10 + headerLen + 6 * 8, b.Length);
        Assert.Equal(6.0, BinaryPrimitives.ReadDoubleLittleEndian(b.AsSpan(10 + headerLen + 5 * 8)));
    }

    [Fact]
    public void OneDimensionalShapeHasTrailingComma()
    {
        using var dir = new TempDir();
        Npy.Write(dir.File("v.npy"), new long[] { 7, 8 }, 2);
        Assert.Contains("'shape': (2,)", Encoding.ASCII.GetString(File.ReadAllBytes(dir.File("v.npy"))));
    }

    [Theory]
    [InlineData(ScalarType.Float64, "<f8")]
    [InlineData(ScalarType.Float32, "<f4")]
    [InlineData(ScalarType.Int64, "<i8")]
    public void TensorsRoundTrip(ScalarType dtype, string descr)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var t = arange(24, dtype: ScalarType.Float64).reshape(2, 3, 4).mul(1.5).to_type(dtype);
        Npy.Write(dir.File("t.npy"), t);
        var read = Npy.Read(dir.File("t.npy"));
        Assert.Equal(descr, read.Descr);
        Assert.Equal(new long[] { 2, 3, 4 }, read.Shape);
        var expected = t.to_type(ScalarType.Float64).reshape(-1).data<double>().ToArray();
        Assert.Equal(expected, read.Data);
        Assert.Equal(expected[1 * 12 + 2 * 4 + 3], read[1, 2, 3]);
    }

    [Fact]
    public void ScalarHasEmptyShape()
    {
        using var dir = new TempDir();
        Npy.Write(dir.File("s.npy"), new double[] { 3.25 });
        var read = Npy.Read(dir.File("s.npy"));
        Assert.Empty(read.Shape);
        Assert.Equal(3.25, read.Data.Single());
    }

    [Fact]
    public void MismatchedShapeIsRejected() =>
        Assert.Throws<ArgumentException>(() => Npy.Write("unused.npy", new double[] { 1, 2, 3 }, 2, 2));

    [Fact]
    public void TruncatedFileIsRejected()
    {
        using var dir = new TempDir();
        Npy.Write(dir.File("a.npy"), new double[] { 1, 2, 3, 4 }, 4);
        var b = File.ReadAllBytes(dir.File("a.npy"));
        File.WriteAllBytes(dir.File("b.npy"), b[..^8]);
        Assert.Throws<InvalidDataException>(() => Npy.Read(dir.File("b.npy")));
    }
}
