using static TorchSharp.torch;

namespace Tangent.Data;

/// <summary>
/// Nagarajan &amp; Kolter's (2019) task: x uniform on one of two concentric spheres in ℝ^d of radii r₀ &lt; r₁,
/// the
/// sphere chosen with probability ½, the label saying which (class 0: inner, class 1: outer); targets one-hot over
/// the two classes.
/// </summary>
public static class HypersphereTask
{
    /// <summary>n training and m test points drawn from <paramref name="seed"/> (training first).</summary>
    public static TaskData Create(int n, int m, int d, double inner, double outer, long seed)
    {
        using var scope = NewDisposeScope();
        using var g = Seeds.Generator(seed);
        (Tensor X, Tensor Y) Draw(int count)
        {
            var z = randn(new long[] { count, d }, dtype: ScalarType.Float64, generator: g);
            var label = rand(new long[] { count }, dtype: ScalarType.Float64, generator: g)
                .lt(0.5)
                .to_type(ScalarType.Int64);
            var radius = where(label.eq(1), outer, inner).to_type(ScalarType.Float64);
            return (
                z / z.norm(1, keepdim: true) * radius.unsqueeze(1),
                nn.functional.one_hot(label, 2).to_type(ScalarType.Float64)
            );
        }
        var (xs, ys) = Draw(n);
        var (xq, yq) = Draw(m);
        return new TaskData(xs, ys, ys.clone(), xq, yq);
    }

    /// <summary>
    /// The reflected set S′ of N&amp;K's construction: every point moved radially onto the other sphere (x·r₁/r₀
    /// or
    /// x·r₀/r₁) with its label flipped, so S′ is labelled correctly and distributed as a fresh sample.
    /// </summary>
    public static (Tensor X, Tensor Y) Reflect(Tensor x, Tensor y, double inner, double outer)
    {
        using var scope = NewDisposeScope();
        var outerPoint = y[TensorIndex.Colon, 1].gt(0.5).unsqueeze(1);
        var moved = where(outerPoint, x * (inner / outer), x * (outer / inner));
        var flipped = y.flip(1);
        return (moved.MoveToOuterDisposeScope(), flipped.MoveToOuterDisposeScope());
    }
}
