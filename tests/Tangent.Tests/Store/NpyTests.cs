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

    /// <summary>The chunked tensor reader gives exactly what the whole-file reader gives, for every supported dtype,
    /// with chunks that split the array unevenly, and for a scalar.</summary>
    [Theory]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    public void ChunkedTensorReadEqualsTheWholeFileRead(ScalarType dtype)
    {
        using var dir = new TempDir();
        using var scope = NewDisposeScope();
        var t = randn(new long[] { 7, 5, 3 }, dtype: ScalarType.Float64, generator: new Generator(3)).mul(100);
        string path = dir.File("t.npy");
        if (dtype == ScalarType.Int32)
        {
            var ints = t.to_type(ScalarType.Int64).reshape(-1).data<long>().ToArray();
            WriteInt32(path, ints.Select(x => (int)x).ToArray(), 7, 5, 3);
        }
        else
            Npy.Write(path, t.to_type(dtype));
        var whole = Npy.Read(path);
        foreach (int chunkBytes in new[] { 8, 24, 100, 1 << 20 })
        {
            var read = Npy.ReadTensor(path, chunkBytes);
            Assert.Equal(ScalarType.Float64, read.dtype);
            Assert.Equal(whole.Shape, read.shape);
            Assert.Equal(whole.Data, read.reshape(-1).data<double>().ToArray());
        }
        Npy.Write(dir.File("s.npy"), new double[] { 3.25 });
        var scalar = Npy.ReadTensor(dir.File("s.npy"));
        Assert.Empty(scalar.shape);
        Assert.Equal(3.25, scalar.item<double>());
        File.WriteAllBytes(dir.File("b.npy"), File.ReadAllBytes(path)[..^4]);
        Assert.Throws<InvalidDataException>(() => Npy.ReadTensor(dir.File("b.npy")));
    }

    /// <summary>An int32 .npy (numpy's '&lt;i4'; Tangent itself writes int64), header padded as the spec
    /// says.</summary>
    private static void WriteInt32(string path, int[] data, params long[] shape)
    {
        string dict = $"{{'descr': '<i4', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}), }}";
        int padding = (64 - (10 + dict.Length + 1) % 64) % 64;
        string header = dict + new string(' ', padding) + "\n";
        using var s = File.Create(path);
        s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        s.Write(BitConverter.GetBytes((ushort)header.Length));
        s.Write(Encoding.Latin1.GetBytes(header));
        foreach (int x in data)
            s.Write(BitConverter.GetBytes(x));
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
