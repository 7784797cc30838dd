using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using TorchSharp;

namespace Tangent.Store;

/// <summary>An array read from a NumPy <c>.npy</c> file, values widened to double, C order.</summary>
public sealed record NpyArray(double[] Data, long[] Shape, string Descr)
{
    /// <summary>Element at a multi-index (C order).</summary>
    public double this[params long[] index]
    {
        get
        {
            long flat = 0;
            for (int i = 0; i < Shape.Length; i++)
                flat = flat * Shape[i] + index[i];
            return Data[flat];
        }
    }

    /// <summary>The array as a float64 tensor of its shape.</summary>
    public torch.Tensor ToTensor() => torch.tensor(Data, Shape, dtype: torch.ScalarType.Float64);
}
