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
    [Fact]
    public void AnExpansiveTracedSegmentIsAManagedErrorWithItsRadius()
    {
        using var scope = NewDisposeScope();
        // K = 100·I on n = 4 traced over p = 3 outputs: per-output kernel 100/3, one-step factor 1 − η(100/3)/n.
        Snapshot At(int step) =>
            new(
                step,
                1.0,
                100 * eye(4, dtype: ScalarType.Float64),
                ones(2, 4, dtype: ScalarType.Float64),
                ones(4, 3, dtype: ScalarType.Float64),
                ones(2, 3, dtype: ScalarType.Float64)
            );
        var window = new[] { At(0), At(300) };
        var e = Assert.Throws<InvalidOperationException>(() =>
            PathOperators.Compute(window, LossKind.HalfMse, traced: true, outputs: 3)
        );
        double radius = Math.Abs(1 - 100.0 / 3 / 4); // 7.33
        Assert.Contains($"spectral radius {radius:G3}", e.Message);
    }
}
