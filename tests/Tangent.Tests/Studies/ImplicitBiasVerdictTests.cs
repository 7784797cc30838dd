using Tangent.Studies;

namespace Tangent.Tests.Studies;

/// <summary>
/// The implicit-bias verdicts decide by their configured thresholds, on both sides of each: outcomes built by hand
/// (lazy and rich regimes with known errors) against the preset's tolerance 0.05, interpolation share 0.2 and rich
/// margin 5, with label-noise σ = 0.1 (σ² = 0.01).
/// </summary>
public class ImplicitBiasVerdictTests
{
    private static readonly ImplicitBiasConfig Config = new()
    {
        Task = new ImplicitBiasConfig().Task with { NoiseStd = 0.1 },
    };

    private static Dictionary<string, bool?> Judge(
        ImplicitBiasStudy.RegimeOutcome lazy,
        ImplicitBiasStudy.RegimeOutcome rich
    ) => ImplicitBiasStudy.Verdicts(Config, lazy, rich).ToDictionary(v => v.Name, v => v.Holds);

    private static readonly ImplicitBiasStudy.RegimeOutcome Lazy = new(0.001, 0.01, 0.02, 0.005);
    private static readonly ImplicitBiasStudy.RegimeOutcome Rich = new(0.001, 0.02, 0.3, 2.0);

    [Fact]
    public void AClearLazyAndRichPairHoldsEveryClaim()
    {
        var v = Judge(Lazy, Rich);
        Assert.All(v.Values, h => Assert.True(h));
    }

    [Theory]
    // train MSE 0.0021 = 0.21 σ² is above the 0.2 share: not interpolated.
    [InlineData("interpolates", 0.0021, 0.01, 0.02, 0.3)]
    // the rich realized-path error 0.051 exceeds the tolerance.
    [InlineData("realized_path_pseudo_inverse", 0.001, 0.051, 0.02, 0.3)]
    // the lazy frozen-kernel error 0.051 exceeds the tolerance.
    [InlineData("lazy_is_min_norm_interpolant", 0.001, 0.01, 0.051, 0.3)]
    // frozen error 0.09 is above the tolerance but below 5 × the realized-path error 0.02 = 0.1.
    [InlineData("rich_leaves_the_frozen_kernel", 0.001, 0.02, 0.02, 0.09)]
    // frozen error 0.04 is 5× the realized-path error but below the tolerance.
    [InlineData("rich_leaves_the_frozen_kernel", 0.001, 0.008, 0.02, 0.04)]
    public void EachClaimFailsJustPastItsThreshold(
        string claim,
        double trainMse,
        double richPathError,
        double lazyFrozen,
        double richFrozen
    )
    {
        var v = Judge(
            Lazy with
            {
                TrainMse = trainMse,
                FrozenError = lazyFrozen,
            },
            Rich with
            {
                PathError = richPathError,
                FrozenError = richFrozen,
            }
        );
        Assert.False(v[claim]);
        foreach (var (name, holds) in v.Where(kv => kv.Key != claim))
            Assert.True(holds, name);
    }
}
