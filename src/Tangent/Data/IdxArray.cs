using System.IO.Compression;

namespace Tangent.Data;

/// <summary>An IDX array (LeCun's MNIST format): unsigned bytes with their dimensions.</summary>
public sealed record IdxArray(byte[] Data, int[] Shape);
