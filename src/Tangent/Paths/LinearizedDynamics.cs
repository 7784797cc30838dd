using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// Gradient descent on ½-MSE with a frozen kernel (the linearized network; neural-tangents' gradient_descent_mse in
/// discrete time, THEORY §7). With K = VΛVᵀ (n×n per output, or (n·p)×(n·p)), A = I − ηK/n and residual r₀
/// = U_S(0) − Y:
/// <code>
/// U_S(t) = Y + A^t r₀
/// U_Q(t) = U_Q(0) − K_QS V diag((η/n) Σ_{j&lt;t} (1 − ηλ/n)^j) Vᵀ r₀
/// </code>
/// (as t → ∞, U_Q − U_Q(0) → −K_QS K⁺ r₀ on λ &gt; 0). Targets and outputs are [n, c] (c columns trained
/// independently with the same kernel).
/// </summary>
public sealed class LinearizedDynamics : IDisposable
{
    private readonly Tensor _lambda,
        _vectors,
        _coefficients,
        _kqsV,
        _uq0,
        _targets;
    private readonly double _lr;
    private readonly long _n;

    /// <summary>Prepares the prediction from the kernel at the start (one eigendecomposition); n =
    /// <paramref name="samples"/>, the number of training samples (B = I/n), which is not the kernel's size in the
    /// full output space (n·p) or in a projected subspace.</summary>
    public LinearizedDynamics(Tensor kss, Tensor kqs, Tensor us0, Tensor uq0, Tensor targets, double lr, long samples)
    {
        using var scope = NewDisposeScope();
        _n = samples;
        _lr = lr;
        var k = kss.to_type(ScalarType.Float64);
        var (lambda, v) = linalg.eigh((k + k.T) / 2);
        _lambda = lambda.DetachFromDisposeScope();
        _vectors = v.DetachFromDisposeScope();
        _targets = targets.to_type(ScalarType.Float64).DetachFromDisposeScope();
        _coefficients = v.T.matmul(us0.to_type(ScalarType.Float64) - _targets).DetachFromDisposeScope();
        _kqsV = kqs.to_type(ScalarType.Float64).matmul(v).DetachFromDisposeScope();
        _uq0 = uq0.to_type(ScalarType.Float64).DetachFromDisposeScope();
    }

    /// <summary>Train outputs after <paramref name="steps"/> steps: Y + A^t r₀.</summary>
    public Tensor TrainOutputs(long steps)
    {
        using var scope = NewDisposeScope();
        var r = (1 - _lambda * (_lr / _n)).pow(steps).unsqueeze(1);
        return (_targets + _vectors.matmul(r * _coefficients)).MoveToOuterDisposeScope();
    }

    /// <summary>Query outputs after <paramref name="steps"/> steps.</summary>
    public Tensor QueryOutputs(long steps)
    {
        using var scope = NewDisposeScope();
        var weights = FrozenSegment.GeometricSum(_lambda * (_lr / _n), steps) * (_lr / _n);
        return (_uq0 - _kqsV.matmul(weights.unsqueeze(1) * _coefficients)).MoveToOuterDisposeScope();
    }

    /// <summary>Query outputs at t → ∞: U_Q(0) − K_QS K⁺ r₀ (eigenvalues below
    /// <paramref name="cutoff"/>·λ_max never relax).</summary>
    public Tensor QueryOutputsAtInfinity(double cutoff = 1e-12)
    {
        using var scope = NewDisposeScope();
        var positive = _lambda.gt(cutoff * _lambda.max().item<double>());
        var inverse = where(positive, 1.0 / where(positive, _lambda, ones_like(_lambda)), zeros_like(_lambda));
        return (_uq0 - _kqsV.matmul(inverse.unsqueeze(1) * _coefficients)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in new[] { _lambda, _vectors, _coefficients, _kqsV, _uq0, _targets })
            t.Dispose();
    }
}
