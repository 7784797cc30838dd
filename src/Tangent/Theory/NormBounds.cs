using static TorchSharp.torch;

namespace Tangent.Theory;

/// <summary>
/// Norm-based generalization bounds of a bias-free network f(x) = A_L σ(… σ(A_1 x)) with margin γ, in the forms
/// Nagarajan &amp; Kolter (2019) evaluate, without their constants and logarithmic factors (so their growth in n, not
/// their value against 1, is the reading), with the initialization M_i as reference matrices. A layer with a bias
/// enters as the affine matrix [A_i | b_i] acting on its input with a 1 appended (<see cref="AffineMatrices"/>,
/// <see cref="WithOnes"/>), the standard reduction of affine layers to linear ones.
/// </summary>
public static class NormBounds
{
    /// <summary>The multiclass margin y-score minus the best other score per row: u_y − max_{j≠y} u_j, for
    /// outputs U [n, p] and one-hot targets Y [n, p].</summary>
    public static double[] Margins(Tensor outputs, Tensor oneHot)
    {
        using var scope = NewDisposeScope();
        var u = outputs.to_type(ScalarType.Float64);
        var y = oneHot.to_type(ScalarType.Float64);
        var own = (u * y).sum(1);
        var others = u.masked_fill(y.gt(0.5), double.NegativeInfinity).max(1).values;
        return (own - others).data<double>().ToArray();
    }

    /// <summary>
    /// Bartlett, Foster &amp; Telgarsky (2017), Thm 1.1 without constants and log factors:
    /// ‖X‖_F R_A / (γ n), with the spectral complexity R_A = Π_i ‖A_i‖_σ · (Σ_i (‖A_iᵀ −
    /// M_iᵀ‖_{2,1} /
    /// ‖A_i‖_σ)^{2/3})^{3/2}; ‖Bᵀ‖_{2,1} is the sum over rows of B of their ℓ₂ norms.
    /// </summary>
    public static double Bartlett(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> initial, Tensor x, double gamma)
    {
        using var scope = NewDisposeScope();
        double product = 1,
            sum = 0;
        for (int i = 0; i < weights.Count; i++)
        {
            double spectral = Spectral(weights[i]);
            double rows = (weights[i] - initial[i]).to_type(ScalarType.Float64).norm(1).sum().item<double>();
            product *= spectral;
            sum += Math.Pow(rows / spectral, 2.0 / 3);
        }
        double frobeniusX = x.to_type(ScalarType.Float64).norm().item<double>();
        return frobeniusX * product * Math.Pow(sum, 1.5) / (gamma * x.shape[0]);
    }

    /// <summary>
    /// Neyshabur, Bhojanapalli &amp; Srebro (2018), Thm 1 in its distance-from-initialization form without constants:
    /// √(B² L² h ln(L h) Π_i ‖A_i‖²_σ Σ_i ‖A_i − M_i‖²_F / ‖A_i‖²_σ / (γ² n)), with B =
    /// max_i ‖x_i‖, L the depth
    /// and h the largest width.
    /// </summary>
    public static double Neyshabur(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> initial, Tensor x, double gamma)
    {
        using var scope = NewDisposeScope();
        double product = 1,
            sum = 0;
        long h = 0;
        for (int i = 0; i < weights.Count; i++)
        {
            double spectral = Spectral(weights[i]);
            double distance = (weights[i] - initial[i]).to_type(ScalarType.Float64).norm().item<double>();
            product *= spectral * spectral;
            sum += distance * distance / (spectral * spectral);
            h = Math.Max(h, Math.Max(weights[i].shape[0], weights[i].shape[1]));
        }
        int depth = weights.Count;
        double b = x.to_type(ScalarType.Float64).norm(1).max().item<double>();
        return Math.Sqrt(
            b * b * depth * depth * h * Math.Log(depth * h) * product * sum / (gamma * gamma * x.shape[0])
        );
    }

    /// <summary>The Frobenius distance from initialization √(Σ_i ‖A_i − M_i‖²_F).</summary>
    public static double Distance(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> initial)
    {
        using var scope = NewDisposeScope();
        double sum = 0;
        for (int i = 0; i < weights.Count; i++)
            sum += (weights[i] - initial[i]).to_type(ScalarType.Float64).Squared().sum().item<double>();
        return Math.Sqrt(sum);
    }

    /// <summary>The layers' matrices from a parameter list in module order: a weight [out, in] followed by its bias
    /// [out] becomes [A | b] ([out, in + 1]); a weight without one stays A.</summary>
    public static List<Tensor> AffineMatrices(IReadOnlyList<Tensor> parameters)
    {
        var matrices = new List<Tensor>();
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i];
            if (p.dim() != 2)
                throw new ArgumentException(
                    $"parameter {i} has {p.dim()} dimensions where a weight matrix was expected"
                );
            if (i + 1 < parameters.Count && parameters[i + 1].dim() == 1 && parameters[i + 1].shape[0] == p.shape[0])
                matrices.Add(cat([p, parameters[++i].unsqueeze(1)], 1));
            else
                matrices.Add(p.alias());
        }
        return matrices;
    }

    /// <summary>The inputs X [n, d] with a column of ones appended ([n, d + 1]), for affine first layers.</summary>
    public static Tensor WithOnes(Tensor x) => cat([x, ones(x.shape[0], 1, dtype: x.dtype)], 1);

    /// <summary>The spectral norm ‖A‖_σ (largest singular value).</summary>
    public static double Spectral(Tensor a)
    {
        using var scope = NewDisposeScope();
        return linalg.svdvals(a.to_type(ScalarType.Float64)).max().item<double>();
    }
}
