using static TorchSharp.torch;

namespace Tangent;

/// <summary>Reads a one-element tensor of any floating dtype as a double (TorchSharp's <c>item&lt;double&gt;</c>
/// accepts float64 tensors only), so the training loop runs in float32 as in float64.</summary>
internal static class TensorNumber
{
    /// <summary>The value of one-element <paramref name="t"/> as a double (float32 widens exactly).</summary>
    public static double AsDouble(this Tensor t) =>
        t.dtype switch
        {
            ScalarType.Float64 => t.item<double>(),
            ScalarType.Float32 => t.item<float>(),
            _ => ToDoubleCopy(t),
        };

    private static double ToDoubleCopy(Tensor t)
    {
        using var wide = t.to_type(ScalarType.Float64);
        return wide.item<double>();
    }
}
