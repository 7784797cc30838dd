using Tangent.Paths;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Paths;

/// <summary>
/// When the frozen-kernel propagator is expansive the operators overflow, and the error says so with the segment's
/// spectral radius. Traced kernels of a multi-output run once crashed the process here instead: the message's radius
/// was recomputed from the full (n·p)² output Hessian times the traced n × n kernel, a shape error that TorchSharp's
/// matmul does not turn into an exception (found on a CNN's traced run with 10 outputs).
/// </summary>
public class PathOperatorOverflowTests
{
    /// <summary>K = 100·I on n = 4 samples traced over p = 3 outputs, η = 1.</summary>
    private static Snapshot At(int step) =>
        new(
            step,
            1.0,
            100 * eye(4, dtype: ScalarType.Float64),
            ones(2, 4, dtype: ScalarType.Float64),
            ones(4, 3, dtype: ScalarType.Float64),
            ones(2, 3, dtype: ScalarType.Float64)
        );

    [Fact]
    public void AnExpansiveTracedSegmentIsAManagedErrorWithItsRadius()
    {
        using var scope = NewDisposeScope();
        // K = 100·I on n = 4 traced over p = 3 outputs: per-output kernel 100/3, one-step factor 1 − η(100/3)/n.
        var window = new[] { At(0), At(300) };
        var e = Assert.Throws<InvalidOperationException>(() =>
            PathOperators.Compute(window, LossKind.HalfMse, traced: true, outputs: 3)
        );
        double radius = Math.Abs(1 - 100.0 / 3 / 4); // 7.33
        Assert.Contains($"spectral radius {radius:G3}", e.Message);
    }

    /// <summary>The momentum-aware operators of the same window (heavy-ball, μ = 0.9) overflow too, and name the
    /// radius of the mode's one-step map of (g, h), [[1 − βλ, −βμ], [λ, μ]] with β = η/n, from its
    /// eigenvalues computed here.</summary>
    [Fact]
    public void AnExpansiveMomentumSegmentIsAManagedErrorWithItsRadius()
    {
        using var scope = NewDisposeScope();
        var window = new[] { At(0), At(300) };
        var model = new MomentumModel("heavy-ball", 0.9, 1, 0);
        var e = Assert.Throws<InvalidOperationException>(() =>
            PathOperators.Compute(window, LossKind.HalfMse, traced: true, outputs: 3, momentum: model)
        );
        double lambda = 100.0 / 3,
            beta = 1.0 / 4;
        var map = tensor(new[] { 1 - beta * lambda, -beta * 0.9, lambda, 0.9 }, dtype: ScalarType.Float64)
            .reshape(2, 2);
        double radius = linalg.eigvals(map).abs().max().item<double>();
        Assert.Contains($"spectral radius {radius:G3}", e.Message);
    }
}
