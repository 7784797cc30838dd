using System.Buffers.Binary;
using System.IO.Compression;

namespace Tangent.Data;

/// <summary>
/// Reads IDX files (magic 0x0000 08 D: unsigned bytes, D dimensions as big-endian int32), plain or gzipped (by the gzip
/// magic, whatever the file name). MNIST, Fashion-MNIST and KMNIST ship in this format.
/// </summary>
public static class Idx
{
    /// <summary>Reads <paramref name="path"/>; a malformed file is an <see cref="InvalidDataException"/> naming
    /// it.</summary>
    public static IdxArray Read(string path)
    {
        byte[] raw = File.ReadAllBytes(path);
        if (raw.Length >= 2 && raw[0] == 0x1f && raw[1] == 0x8b)
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            raw = ms.ToArray();
        }
        if (raw.Length < 4 || raw[0] != 0 || raw[1] != 0)
            throw new InvalidDataException($"{path}: not an IDX file (bad magic)");
        if (raw[2] != 0x08)
            throw new InvalidDataException($"{path}: IDX type 0x{raw[2]:x2} is not unsigned bytes (0x08)");
        int dims = raw[3];
        if (dims < 1 || raw.Length < 4 + 4 * dims)
            throw new InvalidDataException($"{path}: truncated IDX header");
        var shape = new int[dims];
        long count = 1;
        for (int i = 0; i < dims; i++)
        {
            shape[i] = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4 + 4 * i));
            if (shape[i] < 0)
                throw new InvalidDataException($"{path}: negative IDX dimension {shape[i]}");
            count *= shape[i];
            if (count > int.MaxValue)
                throw new InvalidDataException($"{path}: IDX shape too large");
        }
        int offset = 4 + 4 * dims;
        if (raw.Length - offset < count)
            throw new InvalidDataException($"{path}: IDX data truncated ({raw.Length - offset} of {count} bytes)");
        return new IdxArray(raw.AsSpan(offset, (int)count).ToArray(), shape);
    }

    /// <summary>Writes an IDX file of unsigned bytes (gzipped when <paramref name="gzip"/>), for tests and small
    /// fixtures.</summary>
    public static void Write(string path, byte[] data, int[] shape, bool gzip)
    {
        using var ms = new MemoryStream();
        ms.Write([0, 0, 0x08, (byte)shape.Length]);
        Span<byte> b = stackalloc byte[4];
        foreach (int s in shape)
        {
            BinaryPrimitives.WriteInt32BigEndian(b, s);
            ms.Write(b);
        }
        ms.Write(data);
        byte[] bytes = ms.ToArray();
        if (gzip)
        {
            using var outStream = new MemoryStream();
            using (var gz = new GZipStream(outStream, CompressionLevel.Fastest, leaveOpen: true))
                gz.Write(bytes);
            bytes = outStream.ToArray();
        }
        Store.AtomicFile.WriteAllBytes(path, bytes);
    }
}
