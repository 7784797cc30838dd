using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Channel;

/// <summary>
/// Eigen-decomposition of a symmetric PSD operator (an eNTK K_SS or a Gramian W_S) split into the
/// <b>signal channel</b> (eigenvalues λ_i ≥ τ·λ_max) and the <b>reservoir</b> (the rest), THEORY §2. Eigenvalues are
/// sorted in descending order; eigenvectors are the columns of <see cref="Vectors"/>.
/// </summary>
public sealed class SpectralPartition : IDisposable
{
    private SpectralPartition(Tensor values, Tensor vectors, double relativeThreshold)
    {
        Values = values;
        Vectors = vectors;
        RelativeThreshold = relativeThreshold;
        double[] v = values.data<double>().ToArray();
        LambdaMax = v.Length == 0 ? 0 : Math.Max(v[0], 0);
        Threshold = relativeThreshold * LambdaMax;
        ChannelSize = v.Count(x => x >= Threshold && x > 0);
    }

    /// <summary>Eigenvalues λ_1 ≥ … ≥ λ_N (float64).</summary>
    public Tensor Values { get; }

    /// <summary>Orthonormal eigenvectors v_i as columns (float64).</summary>
    public Tensor Vectors { get; }

    /// <summary>τ: the channel holds λ_i ≥ τ·λ_max.</summary>
    public double RelativeThreshold { get; }

    /// <summary>λ_max (clamped at 0).</summary>
    public double LambdaMax { get; }

    /// <summary>Absolute threshold τ·λ_max.</summary>
    public double Threshold { get; }

    /// <summary>Number of channel directions (the leading ones).</summary>
    public int ChannelSize { get; }

    /// <summary>Decomposes the symmetric matrix <paramref name="operatorMatrix"/> with threshold τ =
    /// <paramref name="relativeThreshold"/>.</summary>
    public static SpectralPartition Of(Tensor operatorMatrix, double relativeThreshold)
    {
        using var scope = NewDisposeScope();
        var a = operatorMatrix.to_type(ScalarType.Float64);
        var sym = (a + a.T) / 2;
        var (values, vectors) = linalg.eigh(sym);
        var desc = values.flip(0).contiguous();
        var vecs = vectors.flip(1).contiguous();
        return new SpectralPartition(desc.DetachFromDisposeScope(), vecs.DetachFromDisposeScope(), relativeThreshold);
    }

    /// <summary>Coefficients c_i = v_iᵀ r of a vector r in the eigenbasis.</summary>
    public Tensor Project(Tensor r) => Vectors.T.matmul(r.reshape(-1).to_type(ScalarType.Float64));

    /// <summary>Channel share ‖Π_channel r‖² / ‖r‖² = Σ_{i ≤ channel} c_i² / Σ_i c_i² (0 for r = 0).</summary>
    public double ChannelShare(Tensor r)
    {
        using var scope = NewDisposeScope();
        var c2 = Project(r).square();
        double total = c2.sum().item<double>();
        if (total == 0)
            return 0;
        return c2[TensorIndex.Slice(0, ChannelSize)].sum().item<double>() / total;
    }

    /// <summary>Reservoir share ‖Π_reservoir r‖² / ‖r‖² = 1 − channel share (0 for r = 0).</summary>
    public double ReservoirShare(Tensor r)
    {
        using var scope = NewDisposeScope();
        var c2 = Project(r).square();
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
