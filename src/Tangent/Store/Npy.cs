using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;

namespace Tangent.Store;

/// <summary>
/// NumPy <c>.npy</c> format version 1.0 (little-endian, C order), so every kernel and spectrum Tangent writes loads
/// with <c>numpy.load</c>. Files are written atomically.
/// </summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Writes float64 <paramref name="data"/> with <paramref name="shape"/> (product must match).</summary>
    public static void Write(string path, ReadOnlySpan<double> data, params long[] shape)
    {
        CheckShape(data.Length, shape);
        var bytes = new byte[data.Length * 8];
        for (int i = 0; i < data.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), data[i]);
        WriteRaw(path, "<f8", shape, bytes);
    }

    /// <summary>Writes float32 <paramref name="data"/> with <paramref name="shape"/>.</summary>
    public static void Write(string path, ReadOnlySpan<float> data, params long[] shape)
    {
        CheckShape(data.Length, shape);
        var bytes = new byte[data.Length * 4];
        for (int i = 0; i < data.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), data[i]);
        WriteRaw(path, "<f4", shape, bytes);
    }

    /// <summary>Writes int64 <paramref name="data"/> with <paramref name="shape"/>.</summary>
    public static void Write(string path, ReadOnlySpan<long> data, params long[] shape)
    {
        CheckShape(data.Length, shape);
        var bytes = new byte[data.Length * 8];
        for (int i = 0; i < data.Length; i++)
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(i * 8), data[i]);
        WriteRaw(path, "<i8", shape, bytes);
    }

    /// <summary>Writes a tensor (float32 stays float32, every other float becomes float64, integers int64).</summary>
    public static void Write(string path, torch.Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var t = tensor.detach().cpu().contiguous();
        long[] shape = t.shape;
        switch (t.dtype)
        {
            case torch.ScalarType.Float32:
                Write(path, t.data<float>().ToArray(), shape);
                break;
            case torch.ScalarType.Int64
            or torch.ScalarType.Int32
            or torch.ScalarType.Int16
            or torch.ScalarType.Int8
            or torch.ScalarType.Byte
            or torch.ScalarType.Bool:
                Write(path, t.to_type(torch.ScalarType.Int64).data<long>().ToArray(), shape);
                break;
            default:
                Write(path, t.to_type(torch.ScalarType.Float64).data<double>().ToArray(), shape);
                break;
        }
    }

    /// <summary>Reads a version 1.x/2.x <c>.npy</c> file of little-endian f8, f4, i8 or i4 in C order.</summary>
    public static NpyArray Read(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        var (shape, d, dataStart, count) = Header(path, b);
        int size = ElementSize(path, d);
        if (b.Length - dataStart < count * size)
            throw new InvalidDataException($"{path}: file is truncated");
        var data = new double[count];
        var span = b.AsSpan(dataStart);
        for (long i = 0; i < count; i++)
        {
            var s = span.Slice((int)(i * size), size);
            data[i] = d switch
            {
                "<f8" => BinaryPrimitives.ReadDoubleLittleEndian(s),
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(s),
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(s),
                _ => BinaryPrimitives.ReadInt32LittleEndian(s),
            };
        }
        return new NpyArray(data, shape, d);
    }

    /// <summary>Bytes read at a time by <see cref="ReadTensor(string)"/>.</summary>
    public const int ChunkBytes = 16 << 20;

    /// <summary>
    /// Reads a <c>.npy</c> file of little-endian f8, f4, i8 or i4 in C order into a float64 tensor of its shape, in
    /// chunks of <see cref="ChunkBytes"/>: unlike <see cref="Read"/> (the whole file as bytes, then as doubles, then
    /// copied into a tensor), the only whole-array copy is the tensor itself. A snapshot's K_QS at n = 4,000 and
    /// Q = 10,000 is 320 MB, and an analysis reads twenty of them.
    /// </summary>
    public static torch.Tensor ReadTensor(string path) => ReadTensor(path, ChunkBytes);

    /// <summary><see cref="ReadTensor(string)"/> with chunks of <paramref name="chunkBytes"/> (at least 8).</summary>
    internal static torch.Tensor ReadTensor(string path, int chunkBytes)
    {
        if (!BitConverter.IsLittleEndian)
            return Read(path).ToTensor();
        using var stream = File.OpenRead(path);
        var head = new byte[Math.Min(stream.Length, 1 << 16)];
        stream.ReadExactly(head);
        var (shape, d, dataStart, count) = Header(path, head);
        int size = ElementSize(path, d);
        if (stream.Length - dataStart < count * size)
            throw new InvalidDataException($"{path}: file is truncated");
        stream.Position = dataStart;
        using var scope = torch.NewDisposeScope();
        var result = torch.empty(count, dtype: torch.ScalarType.Float64);
        int chunk = Math.Max(1, chunkBytes / size);
        var raw = new byte[Math.Min(count, chunk) * size];
        for (long offset = 0; offset < count; offset += chunk)
        {
            int length = (int)Math.Min(chunk, count - offset);
            var bytes = raw.AsSpan(0, length * size);
            stream.ReadExactly(bytes);
            using var part = d switch
            {
                "<f8" => torch.tensor(MemoryMarshal.Cast<byte, double>(bytes).ToArray()),
                "<f4" => torch.tensor(MemoryMarshal.Cast<byte, float>(bytes).ToArray()),
                "<i8" => torch.tensor(MemoryMarshal.Cast<byte, long>(bytes).ToArray()),
                _ => torch.tensor(MemoryMarshal.Cast<byte, int>(bytes).ToArray()),
            };
            using var slice = result.narrow(0, offset, length);
            slice.copy_(part);
        }
        return result.reshape(shape).MoveToOuterDisposeScope();
    }

    /// <summary>The shape in the header of <paramref name="path"/>, without reading the data (for size
    /// checks).</summary>
    public static long[] ReadShape(string path)
    {
        using var stream = File.OpenRead(path);
        var head = new byte[Math.Min(stream.Length, 1 << 16)];
        stream.ReadExactly(head);
        return Header(path, head).Shape;
    }

    private static (long[] Shape, string Descr, int DataStart, long Count) Header(string path, byte[] b)
    {
        if (b.Length < 10 || !b.AsSpan(0, 6).SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a .npy file (bad magic)");
        int major = b[6];
        int headerLen,
            offset;
        if (major == 1)
        {
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(8));
            offset = 10;
        }
        else if (b.Length >= 12)
        {
            headerLen = (int)Math.Min(int.MaxValue - 12, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(8)));
            offset = 12;
        }
        else
            throw new InvalidDataException($"{path}: file is truncated");
        if (major is not (1 or 2 or 3) || b.Length < offset + headerLen)
            throw new InvalidDataException(
                $"{path}: file is truncated or not a .npy file (header of {headerLen} bytes, file of {b.Length})"
            );
        string header = Encoding.Latin1.GetString(b, offset, headerLen);
        var descr = DescrPattern().Match(header);
        var order = FortranPattern().Match(header);
        var shapeMatch = ShapePattern().Match(header);
        if (!descr.Success || !order.Success || !shapeMatch.Success)
            throw new InvalidDataException($"{path}: unreadable .npy header '{header.Trim()}'");
        if (order.Groups[1].Value != "False")
            throw new InvalidDataException(
                $"{path}: Fortran-ordered arrays are not supported; save with numpy.ascontiguousarray"
            );
        var dims = shapeMatch
            .Groups[1]
            .Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var shape = new long[dims.Length];
        for (int k = 0; k < dims.Length; k++)
            if (!long.TryParse(dims[k], NumberStyles.None, CultureInfo.InvariantCulture, out shape[k]))
                throw new InvalidDataException(
                    $"{path}: unreadable shape '({shapeMatch.Groups[1].Value})' in the .npy header"
                );
        long count = 1;
        foreach (long x in shape)
            if (x > 0 && count > (long)int.MaxValue / x)
                throw new InvalidDataException($"{path}: shape is too large to read");
            else
                count *= x;
        return (shape, descr.Groups[1].Value, offset + headerLen, count);
    }

    /// <summary>Bytes per element of a supported dtype; otherwise an error naming the file and the fix.</summary>
    private static int ElementSize(string path, string descr) =>
        descr switch
        {
            "<f8" or "<i8" => 8,
            "<f4" or "<i4" => 4,
            _ => throw new InvalidDataException(
                $"{path}: dtype '{descr}' is not supported (use little-endian float64, float32, int64 or int32: "
                    + "array.astype('<f8'))"
            ),
        };

    private static void CheckShape(int length, long[] shape)
    {
        long count = shape.Aggregate(1L, (a, x) => a * x);
        if (count != length)
            throw new ArgumentException(
                $"shape ({string.Join(", ", shape)}) holds {count} elements, data has {length}"
            );
    }

    private static void WriteRaw(string path, string descr, long[] shape, byte[] payload)
    {
        string shapeText = shape.Length switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Header (magic + version + length + dict + padding + '\n') is a multiple of 64 bytes.
        int unpadded = 10 + dict.Length + 1;
        int padding = (64 - unpadded % 64) % 64;
        string header = dict + new string(' ', padding) + "\n";
        AtomicFile.Write(
            path,
            s =>
            {
                s.Write(Magic);
                s.WriteByte(1);
                s.WriteByte(0);
                Span<byte> len = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
                s.Write(len);
                s.Write(Encoding.Latin1.GetBytes(header));
                s.Write(payload);
            }
        );
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
