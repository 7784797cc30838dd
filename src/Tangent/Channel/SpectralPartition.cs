using static TorchSharp.torch;

namespace Tangent.Channel;

/// <summary>
/// Eigen-decomposition of a symmetric PSD operator (an eNTK K_SS or a Gramian W_S) split into the
/// <b>signal channel</b> (positive eigenvalues λ_i at or above a threshold: τ·λ_max, or an absolute λ⋆ such as
/// the window's n/(ηT) scale) and the <b>reservoir</b> (the rest), THEORY §2. Eigenvalues are sorted in descending
/// order; eigenvectors are the columns of <see cref="Vectors"/>. The one channel split of the library.
/// </summary>
public sealed class SpectralPartition : IDisposable
{
    private SpectralPartition(Tensor values, Tensor vectors, double? relativeThreshold, double? absoluteThreshold)
    {
        Values = values;
        Vectors = vectors;
        double[] v = values.data<double>().ToArray();
        LambdaMax = v.Length == 0 ? 0 : Math.Max(v[0], 0);
        Threshold = absoluteThreshold ?? relativeThreshold!.Value * LambdaMax;
        RelativeThreshold = relativeThreshold ?? (LambdaMax > 0 ? Threshold / LambdaMax : 0);
        ChannelSize = v.Count(x => x >= Threshold && x > 0);
    }

    /// <summary>Eigenvalues λ_1 ≥ … ≥ λ_N (float64).</summary>
    public Tensor Values { get; }

    /// <summary>Orthonormal eigenvectors v_i as columns (float64).</summary>
    public Tensor Vectors { get; }

    /// <summary>τ: the channel holds λ_i ≥ τ·λ_max (for an absolute threshold, its ratio to λ_max).</summary>
    public double RelativeThreshold { get; }

    /// <summary>λ_max (clamped at 0).</summary>
    public double LambdaMax { get; }

    /// <summary>The absolute threshold: τ·λ_max, or the one given.</summary>
    public double Threshold { get; }

    /// <summary>Number of channel directions (the leading ones).</summary>
    public int ChannelSize { get; }

    /// <summary>Decomposes the symmetric matrix <paramref name="operatorMatrix"/> with threshold τ =
    /// <paramref name="relativeThreshold"/>.</summary>
    public static SpectralPartition Of(Tensor operatorMatrix, double relativeThreshold) =>
        Decompose(operatorMatrix, relativeThreshold, null);

    /// <summary>
    /// Decomposes <paramref name="operatorMatrix"/> with the channel λ_i ≥ <paramref name="threshold"/> (an absolute
    /// eigenvalue, e.g. λ⋆ = n/(ηT) for a kernel or (n/2)(1 − e⁻²) for a Gramian).
    /// </summary>
    public static SpectralPartition OfAbsolute(Tensor operatorMatrix, double threshold) =>
        Decompose(operatorMatrix, null, threshold);

    private static SpectralPartition Decompose(Tensor operatorMatrix, double? relative, double? absolute)
    {
        using var scope = NewDisposeScope();
        var a = operatorMatrix.to_type(ScalarType.Float64);
        var sym = (a + a.T) / 2;
        var (values, vectors) = linalg.eigh(sym);
        var desc = values.flip(0).contiguous();
        var vecs = vectors.flip(1).contiguous();
        return new SpectralPartition(desc.DetachFromDisposeScope(), vecs.DetachFromDisposeScope(), relative, absolute);
    }

    /// <summary>The channel's eigenvectors V_c (the first <see cref="ChannelSize"/> columns), a new tensor.</summary>
    public Tensor ChannelVectors() => Vectors[TensorIndex.Colon, TensorIndex.Slice(0, ChannelSize)].contiguous();

    /// <summary>Channel share of the columns of R together: ‖V_cᵀR‖²_F / ‖R‖²_F (0 for R = 0).</summary>
    public double ChannelShareOfColumns(Tensor r)
    {
        using var scope = NewDisposeScope();
        var m = r.to_type(ScalarType.Float64).reshape(Vectors.shape[0], -1);
        double total = m.Squared().sum().item<double>();
        if (total == 0)
            return 0;
        return ChannelVectors().T.matmul(m).Squared().sum().item<double>() / total;
    }

    /// <summary>
    /// Each row's reservoir leverage Σ_{j ∈ reservoir} V_ij²: the share of the unit vector e_i in the reservoir
    /// (rows of an orthonormal basis: channel and reservoir leverage add to 1).
    /// </summary>
    public double[] ReservoirLeverage()
    {
        using var scope = NewDisposeScope();
        return Vectors[TensorIndex.Colon, TensorIndex.Slice(ChannelSize, null)]
            .Squared()
            .sum(1)
            .data<double>()
            .ToArray();
    }

    /// <summary>Coefficients c_i = v_iᵀ r of a vector r in the eigenbasis.</summary>
    public Tensor Project(Tensor r) => Vectors.T.matmul(r.reshape(-1).to_type(ScalarType.Float64));

    /// <summary>Channel share ‖Π_channel r‖² / ‖r‖² = Σ_{i ≤ channel} c_i² / Σ_i c_i² (0 for r =
    /// 0).</summary>
    public double ChannelShare(Tensor r)
    {
        using var scope = NewDisposeScope();
        var c2 = Project(r).Squared();
        double total = c2.sum().item<double>();
        if (total == 0)
            return 0;
        return c2[TensorIndex.Slice(0, ChannelSize)].sum().item<double>() / total;
    }

    /// <summary>Reservoir share ‖Π_reservoir r‖² / ‖r‖² = 1 − channel share (0 for r = 0).</summary>
    public double ReservoirShare(Tensor r)
    {
        using var scope = NewDisposeScope();
        var c2 = Project(r).Squared();
        double total = c2.sum().item<double>();
        if (total == 0)
            return 0;
        return c2[TensorIndex.Slice(ChannelSize, null)].sum().item<double>() / total;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Values.Dispose();
        Vectors.Dispose();
    }
}
