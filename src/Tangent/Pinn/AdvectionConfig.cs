namespace Tangent.Pinn;

/// <summary>
/// The convection benchmark of Krishnapriyan et al. 2021 with a noisy initial condition: u_t + β u_x = 0 on
/// x ∈ [0, 2π) (periodic), t ∈ [0, 1], u(x, 0) = sin x observed with Gaussian noise; exact solution
/// sin(x − βt).
/// </summary>
public sealed record AdvectionConfig
{
    /// <summary>Advection speed β (the benchmark's hard-ish setting: 5).</summary>
    public double Beta { get; init; } = 5;

    /// <summary>Standard deviation of the noise on the initial-condition targets sin xᵢ + σ ξᵢ.</summary>
    public double NoiseStd { get; init; } = 0.1;

    /// <summary>Interior collocation points (x, t) drawn uniformly, where the residual u_t + β u_x is
    /// penalized.</summary>
    public int Interior { get; init; } = 512;

    /// <summary>Initial-condition points xᵢ = 2πi/n₀ at t = 0.</summary>
    public int Initial { get; init; } = 128;

    /// <summary>Boundary times t_j drawn uniformly, where u(0, t_j) = u(2π, t_j) is penalized.</summary>
    public int Boundary { get; init; } = 64;

    /// <summary>Test grid: points in x (2πi/n_x).</summary>
    public int GridX { get; init; } = 128;

    /// <summary>Test grid: points in t (j/(n_t − 1)).</summary>
    public int GridT { get; init; } = 51;

    /// <summary>Throws a <see cref="ConfigException"/> naming the first bad field.</summary>
    public AdvectionConfig Validate(string prefix = "pinn.")
    {
        ConfigException.Require(
            double.IsFinite(Beta) && Beta > 0,
            prefix + "beta",
            $"must be a positive speed, got {Beta}",
            "use the benchmark's 5"
        );
        ConfigException.Require(
            double.IsFinite(NoiseStd) && NoiseStd >= 0,
            prefix + "noise_std",
            $"must be a standard deviation ≥ 0, got {NoiseStd}",
            "use e.g. 0.1"
        );
        foreach (
            var (name, value, least) in new[]
            {
                ("interior", Interior, 8),
                ("initial", Initial, 8),
                ("boundary", Boundary, 2),
                ("grid_x", GridX, 8),
                ("grid_t", GridT, 2),
            }
        )
            ConfigException.Require(
                value >= least && value <= 100_000,
                prefix + name,
                $"must be between {least} and 100000, got {value}",
                "use the preset's value"
            );
        return this;
    }
}
