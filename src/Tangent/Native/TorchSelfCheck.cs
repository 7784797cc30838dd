using static TorchSharp.torch;

namespace Tangent.Native;

/// <summary>
/// Proves the tensor engine loads and computes: a symmetric eigendecomposition (LAPACK), a matrix product, and a
/// gradient by <c>autograd.grad</c>, each against a closed form.
/// </summary>
public static class TorchSelfCheck
{
    /// <summary>Runs the checks; returns a one-line verdict or throws with the failing check named.</summary>
    public static string Run()
    {
        using var scope = NewDisposeScope();
        // eigh of [[2, 1], [1, 2]]: eigenvalues 1 and 3.
        var a = tensor(new double[] { 2, 1, 1, 2 }, new long[] { 2, 2 });
        var (values, _) = linalg.eigh(a);
        Expect("eigh", values[0].item<double>(), 1.0);
        Expect("eigh", values[1].item<double>(), 3.0);
        // [[1, 2], [3, 4]] · [[5], [6]] = [[17], [39]].
        var m = tensor(new double[] { 1, 2, 3, 4 }, new long[] { 2, 2 })
            .matmul(tensor(new double[] { 5, 6 }, new long[] { 2, 1 }));
        Expect("matmul", m[0, 0].item<double>(), 17.0);
        Expect("matmul", m[1, 0].item<double>(), 39.0);
        // d/dx Σ x³ = 3x².
        var x = tensor(new double[] { 1, -2, 0.5 }, requires_grad: true);
        var g = autograd.grad(new[] { x.pow(3).sum() }, new[] { x })[0];
        Expect("autograd.grad", g[1].item<double>(), 12.0);
        Expect("autograd.grad", g[2].item<double>(), 0.75);
        return "ok (eigh, matmul, autograd.grad)";
    }

    private static void Expect(string check, double actual, double expected)
    {
        if (Math.Abs(actual - expected) > 1e-12 * Math.Max(1, Math.Abs(expected)))
            throw new InvalidOperationException($"TorchSharp self-check '{check}' gave {actual}, expected {expected}");
    }
}
