using Tangent.Training;

namespace Tangent.Studies;

/// <summary>Step sizes set from the initial kernel, as the studies' configs state them.</summary>
public static class StableStep
{
    /// <summary>
    /// A gradient-descent step size relative to the stable one of the initial kernel: η = fraction · n /
    /// λ_max(K_SS(w₀)) (K_SS ≈ traced/p for p outputs) for ½-MSE with the 1/n average (the top mode relaxes by
    /// the factor 1 − fraction per step; fraction ≥ 2 diverges, or catapults, at initialization).
    /// </summary>
    public static double Of(TrainConfig config, double fraction)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var task = config.Task.Create(config.Seed);
        var model = Models.ModelFactory.Create(config.Model, Seeds.Generator(config.Seed + 1));
        using var k = Kernels.Ntk.Compute(model, task.TrainX, options: new Kernels.NtkOptions { Traced = true });
        using var top = Kernels.Lanczos.TopEigenpairs(v => k.Kss.matmul(v), k.Kss.shape[0], 1);
        // The traced kernel sums the p output blocks, which an MLP's output layer makes (nearly) equal and independent:
        // λ_max of the full n·p kernel is about λ_max(traced)/p.
        long outputs = task.TrainY.shape[1];
        return fraction * task.TrainX.shape[0] * outputs / top.Values[0].item<double>();
    }
}
