using Tangent.Memorization;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Tests.Memorization;

/// <summary>
/// The in-memory fits: a fit to interpolation stops at a check where every label is the argmax (a property that must
/// hold at the reported step), a fixed-budget fit runs its whole budget, and the self-influence is positive.
/// </summary>
public class LabelFitTests
{
    private static (Tensor X, Tensor Y) Data()
    {
        var g = Tangent.Seeds.Generator(11);
        return (
            randn(new long[] { 24, 6 }, dtype: ScalarType.Float64, generator: g),
            randint(0, 3, [24], generator: g)
        );
    }

    private static readonly MlpConfig Net = new() { Widths = [6, 32, 3], WeightStd = Math.Sqrt(2) };

    [Fact]
    public void AFitToInterpolationFitsEveryLabelWhenItStops()
    {
        var (x, y) = Data();
        var fit = LabelFit.Run(
            new LabelFitSettings
            {
                Lr = 0.01,
                Steps = 2000,
                SelfInfluence = true,
            },
            Net,
            x,
            y,
            1,
            default
        );
        Assert.NotNull(fit.FittedAt);
        Assert.True(fit.FittedAt < 2000);
        using (no_grad())
            Assert.True(fit.Net.call(x).argmax(1).eq(y).all().item<bool>());
        Assert.All(fit.SelfInfluence!, v => Assert.True(v > 0));
        Assert.Equal(24, fit.SelfInfluence!.Length);
    }

    [Fact]
    public void AFixedBudgetRunsEveryStepAndTracksTheRiskEstimate()
    {
        var (x, y) = Data();
        var fit = LabelFit.Run(
            new LabelFitSettings
            {
                Lr = 0.01,
                Steps = 100,
                BatchSize = 8,
                StopWhenFitted = false,
                RiskEstimate = true,
            },
            Net,
            x,
            y,
            1,
            default
        );
        Assert.Null(fit.FittedAt);
        Assert.Equal(100, fit.Metrics[^1].Step);
        Assert.NotNull(fit.Metrics[^1].RiskEstimate);
        Assert.Null(fit.SelfInfluence);
    }
}
