using TorchSharp;
using static TorchSharp.torch;

namespace Tangent;

/// <summary>
/// Tensor–number operations whose <see cref="Scalar"/> lives until LibTorch has read it.
/// <para>
/// TorchSharp turns a <c>double</c> into a <see cref="Scalar"/> that nothing references once its native handle has been
/// read, so a collection started by another thread during the native call can finalize it while LibTorch still reads
/// it: the operation then fails with "Unknown scalar type" or "Expected false to be true" (measured: one failure
/// in ~5·10⁴ <c>t / 2.0</c> with a thread collecting in a loop, none in 1.4·10⁶ with the Scalar held). Code that
/// runs every step (optimizers, losses, forwards, per-step propagation) uses these instead of <c>t * c</c>,
/// <c>t / c</c>, <c>t.mul_(c)</c>; the Scalar is disposed after the call, which keeps it reachable until then.
/// </para>
/// </summary>
internal static class HeldScalars
{
    /// <summary>t² elementwise (TorchSharp's own <c>square()</c> is <c>pow(2)</c> with a temporary Scalar).</summary>
    public static Tensor Squared(this Tensor t) => Held(2, t.pow);

    /// <summary>t + other (TorchSharp's <c>+</c> passes a temporary Scalar α = 1; <c>−</c> does not).</summary>
    public static Tensor Plus(this Tensor t, Tensor other) => Held(1, one => t.add(other, one));

    /// <summary>t · c.</summary>
    public static Tensor Times(this Tensor t, double c) => Held(c, t.mul);

    /// <summary>t / c.</summary>
    public static Tensor Over(this Tensor t, double c) => Held(c, s => t.div(s));

    /// <summary>t + c.</summary>
    public static Tensor Plus(this Tensor t, double c) => Held(c, s => Held(1, one => t.add(s, one)));

    /// <summary>t ← t · c, in place.</summary>
    public static Tensor ScaleInPlace(this Tensor t, double c) => Held(c, t.mul_);

    /// <summary>t ← t + other, in place.</summary>
    public static Tensor AddInPlace(this Tensor t, Tensor other) => t.AddInPlace(other, 1);

    /// <summary>t ← t + α·other, in place.</summary>
    public static Tensor AddInPlace(this Tensor t, Tensor other, double alpha) => Held(alpha, a => t.add_(other, a));

    /// <summary>max(t, c) elementwise.</summary>
    public static Tensor AtLeast(this Tensor t, double c) => Held(c, t.clamp_min);

    /// <summary>The indicator t &gt; c.</summary>
    public static Tensor Above(this Tensor t, double c) => Held(c, t.gt);

    /// <summary>max(t, 0) + c·min(t, 0).</summary>
    public static Tensor LeakyRelu(this Tensor t, double c) => Held(c, t.leaky_relu);

    /// <summary>t with the entries where <paramref name="mask"/> holds set to c.</summary>
    public static Tensor MaskedFill(this Tensor t, Tensor mask, double c) => Held(c, s => t.masked_fill(mask, s));

    /// <summary>The indicator t = c.</summary>
    public static Tensor EqualTo(this Tensor t, double c) => Held(c, t.eq);

    /// <summary>Runs <paramref name="operation"/> on c as a Scalar disposed only after it returns.</summary>
    private static Tensor Held(double c, Func<Scalar, Tensor> operation)
    {
        using var s = c.ToScalar();
        return operation(s);
    }
}
