using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Pinn;

/// <summary>
/// The points and targets of one <see cref="AdvectionConfig"/> draw, and the physics-informed objective on them:
/// Φ(w) = ‖r(w)‖² with the stacked, scaled residual vector (<see cref="Residuals"/>)
/// r = [ (u_t + β u_x)(x_f, t_f)/√n_f ; (u(x₀, 0) − y₀)/√n₀ ; (u(0, t_b) − u(2π, t_b))/√n_b ],
/// i.e. the mean squared PDE residual plus the mean squared initial and periodic-boundary misfits.
/// </summary>
public sealed class AdvectionProblem : IDisposable
{
    private readonly Tensor _interior,
        _initial,
        _initialTargets,
        _left,
        _right;

    /// <summary>Draws the collocation points and the noisy initial targets from <paramref name="seed"/>.</summary>
    public AdvectionProblem(AdvectionConfig config, long seed)
    {
        Config = config.Validate();
        using var scope = NewDisposeScope();
        var generator = Seeds.Generator(seed);
        double twoPi = 2 * Math.PI;
        var xf = rand(config.Interior, 1, dtype: ScalarType.Float64, generator: generator).Times(twoPi);
        var tf = rand(config.Interior, 1, dtype: ScalarType.Float64, generator: generator);
        _interior = cat([xf, tf], 1).DetachFromDisposeScope();
        var x0 = arange(config.Initial, dtype: ScalarType.Float64).Times(twoPi / config.Initial).unsqueeze(1);
        _initial = cat([x0, zeros_like(x0)], 1).DetachFromDisposeScope();
        var noise = randn(config.Initial, dtype: ScalarType.Float64, generator: generator).Times(config.NoiseStd);
        _initialTargets = x0.squeeze(1).sin().Plus(noise).DetachFromDisposeScope();
        var tb = rand(config.Boundary, 1, dtype: ScalarType.Float64, generator: generator);
        _left = cat([zeros_like(tb), tb], 1).DetachFromDisposeScope();
        _right = cat([full_like(tb, twoPi), tb], 1).DetachFromDisposeScope();
        var gx = arange(config.GridX, dtype: ScalarType.Float64).Times(twoPi / config.GridX);
        var gt = linspace(0, 1, config.GridT, dtype: ScalarType.Float64);
        var mesh = meshgrid([gx, gt], indexing: "ij");
        GridPoints = stack([mesh[0].reshape(-1), mesh[1].reshape(-1)], 1).DetachFromDisposeScope();
        Exact = ExactSolution(GridPoints, config.Beta).DetachFromDisposeScope();
    }

    /// <summary>The settings drawn from.</summary>
    public AdvectionConfig Config { get; }

    /// <summary>Test grid points (x, t) [n_x n_t, 2].</summary>
    public Tensor GridPoints { get; }

    /// <summary>The exact solution sin(x − βt) on <see cref="GridPoints"/>, [n_x n_t, 1].</summary>
    public Tensor Exact { get; }

    /// <summary>Length m = n_f + n₀ + n_b of <see cref="Residuals"/>.</summary>
    public int ResidualCount => Config.Interior + Config.Initial + Config.Boundary;

    /// <summary>u*(x, t) = sin(x − βt), the solution for u(x, 0) = sin x, [n, 1].</summary>
    public static Tensor ExactSolution(Tensor points, double beta)
    {
        using var scope = NewDisposeScope();
        var x = points.select(1, 0);
        var t = points.select(1, 1);
        return (x - t.Times(beta)).sin().unsqueeze(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The PDE residual u_t + β u_x of <paramref name="model"/> at <paramref name="points"/> [n, 2], by automatic
    /// differentiation with respect to the inputs; the graph is kept (create_graph) so the residual can be
    /// differentiated again with respect to the parameters.
    /// </summary>
    public static Tensor PdeResidual(nn.Module<Tensor, Tensor> model, Tensor points, double beta)
    {
        var xt = points.detach().requires_grad_(true);
        var u = model.call(xt);
        // Each uᵢ depends on its own (xᵢ, tᵢ) only, so ∂(Σu)/∂(x, t) holds every point's own derivatives.
        var du = autograd.grad([u.sum()], [xt], retain_graph: true, create_graph: true)[0];
        using var b = beta.ToScalar();
        return du.select(1, 1).add(du.select(1, 0), b);
    }

    /// <summary>The stacked, scaled residual vector r(w) with Φ = ‖r‖² (see the type's summary).</summary>
    public Tensor Residuals(nn.Module<Tensor, Tensor> model)
    {
        using var scope = NewDisposeScope();
        var pde = PdeResidual(model, _interior, Config.Beta).Over(Math.Sqrt(Config.Interior));
        var initial = (model.call(_initial).squeeze(1) - _initialTargets).Over(Math.Sqrt(Config.Initial));
        var periodic = (model.call(_left) - model.call(_right)).squeeze(1).Over(Math.Sqrt(Config.Boundary));
        return cat([pde, initial, periodic], 0).MoveToOuterDisposeScope();
    }

    /// <summary>Φ(w) = ‖r(w)‖²: mean squared residual + mean squared initial misfit + mean squared periodic
    /// misfit.</summary>
    public Tensor Objective(nn.Module<Tensor, Tensor> model)
    {
        using var scope = NewDisposeScope();
        return Residuals(model).Squared().sum().MoveToOuterDisposeScope();
    }

    /// <summary>‖u − u*‖₂ / ‖u*‖₂ on the test grid.</summary>
    public double RelativeError(nn.Module<Tensor, Tensor> model)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return ((model.call(GridPoints) - Exact).norm() / Exact.norm()).item<double>();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var t in new[] { _interior, _initial, _initialTargets, _left, _right, GridPoints, Exact })
            t.Dispose();
    }
}
