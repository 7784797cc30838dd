using static TorchSharp.torch;

namespace Tangent.Theory;

/// <summary>
/// Gauss–Hermite quadrature for the standard normal: E[g(z)] ≈ Σ_i w_i g(z_i), z ~ N(0, 1), exact for polynomials
/// of degree ≤ 2·degree − 1. Nodes and weights by Golub–Welsch: the eigenvalues of the Jacobi matrix of the
/// probabilists' Hermite polynomials (off-diagonal √k) and the squared first components of its eigenvectors.
/// </summary>
public static class GaussHermite
{
    /// <summary>Nodes z_i and weights w_i (Σ w_i = 1), float64.</summary>
    public static (Tensor Nodes, Tensor Weights) Rule(int degree)
    {
        if (degree < 1 || degree > 400)
            throw new ArgumentOutOfRangeException(nameof(degree), "use a degree between 1 and 400");
        using var scope = NewDisposeScope();
        var jacobi = zeros(new long[] { degree, degree }, dtype: ScalarType.Float64);
        for (int k = 1; k < degree; k++)
        {
            double b = Math.Sqrt(k);
            jacobi[k - 1, k] = b;
            jacobi[k, k - 1] = b;
        }
        var (nodes, vectors) = linalg.eigh(jacobi);
        var weights = vectors[0].Squared();
        return (nodes.MoveToOuterDisposeScope(), (weights / weights.sum()).MoveToOuterDisposeScope());
    }
}
