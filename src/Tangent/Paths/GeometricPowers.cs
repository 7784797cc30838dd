using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// The sums of a constant linear recurrence z ← A z over k steps, by repeated squaring over the bits of k: with
/// (P_a, S_a, Σ_a) for a steps, a + b steps give P = P_b P_a, S = S_a + P_aᵀ S_b P_a, Σ = Σ_a + Σ_b P_a. O(m³
/// log k). A batch of recurrences [B, m, m] is summed mode by mode (the transposes are of the last two axes).
/// </summary>
internal static class GeometricPowers
{
    /// <summary>
    /// (A^k, Σ_{j&lt;k} (A^j)ᵀ Q₁ A^j, Σ_{j&lt;k} (A^j)ᵀ Q₂ A^j, Σ_{j&lt;k} A^j) for k =
    /// <paramref name="steps"/>; the caller owns the results (they are moved out of any scope it opened).
    /// </summary>
    public static (Tensor Power, Tensor Gram1, Tensor Gram2, Tensor Sum) Of(Tensor a, Tensor q1, Tensor q2, long steps)
    {
        using var scope = NewDisposeScope();
        long m = a.shape[^1];
        var identity = eye(m, dtype: a.dtype);
        // Block for 2^i steps, starting from one step: (P, S₁, S₂, Σ) = (A, Q₁, Q₂, I).
        Tensor bp = a,
            b1 = q1,
            b2 = q2,
            bsum = identity;
        Tensor? rp = null,
            r1 = null,
            r2 = null,
            rsum = null;
        for (long remaining = steps; remaining > 0; remaining >>= 1)
        {
            if ((remaining & 1) == 1)
            {
                if (rp is null)
                {
                    rp = bp;
                    r1 = b1;
                    r2 = b2;
                    rsum = bsum;
                }
                else
                {
                    // The result so far covers a steps (rp…); append the block of b steps.
                    r1 = r1! + rp.mT.matmul(b1).matmul(rp);
                    r2 = r2! + rp.mT.matmul(b2).matmul(rp);
                    rsum = rsum! + bsum.matmul(rp);
                    rp = bp.matmul(rp);
                }
            }
            if (remaining > 1)
            {
                // Double the block: 2^i → 2^{i+1} steps.
                b1 = b1 + bp.mT.matmul(b1).matmul(bp);
                b2 = b2 + bp.mT.matmul(b2).matmul(bp);
                bsum = bsum + bsum.matmul(bp);
                bp = bp.matmul(bp);
            }
        }
        if (rp is null)
            return (
                identity.MoveToOuterDisposeScope(),
                zeros_like(q1).MoveToOuterDisposeScope(),
                zeros_like(q2).MoveToOuterDisposeScope(),
                zeros_like(a).MoveToOuterDisposeScope()
            );
        return (
            rp.alias().MoveToOuterDisposeScope(),
            r1!.alias().MoveToOuterDisposeScope(),
            r2!.alias().MoveToOuterDisposeScope(),
            rsum!.alias().MoveToOuterDisposeScope()
        );
    }
}
