using Tangent.Studies;

namespace Tangent.Tests.Studies;

/// <summary>A verdict criterion on both sides of its threshold, at it, and without a measurement.</summary>
public class CriterionTests
{
    [Theory]
    [InlineData(Comparison.AtMost, 0.09, true)]
    [InlineData(Comparison.AtMost, 0.1, true)]
    [InlineData(Comparison.AtMost, 0.11, false)]
    [InlineData(Comparison.Below, 0.09, true)]
    [InlineData(Comparison.Below, 0.1, false)]
    [InlineData(Comparison.AtLeast, 0.1, true)]
    [InlineData(Comparison.AtLeast, 0.09, false)]
    [InlineData(Comparison.Above, 0.11, true)]
    [InlineData(Comparison.Above, 0.1, false)]
    public void JudgesBothSidesAndTheThresholdItself(Comparison comparison, double measured, bool holds)
    {
        var criterion = new Criterion("relative change", comparison, 0.1, "test_tolerance");
        Assert.Equal(holds, criterion.Judge(measured));
        var verdict = criterion.Verdict("v", "claim", "measured", measured);
        Assert.Equal(holds, verdict.Holds);
        Assert.Equal(criterion.Text, verdict.Criterion);
    }

    [Fact]
    public void NothingMeasuredIsUndecidedNotFailed() =>
        Assert.Null(new Criterion("share", Comparison.AtLeast, 0.5, "f").Judge(double.NaN));

    [Fact]
    public void TheTextNamesTheThresholdAndItsField() =>
        Assert.Equal(
            "relative change ≤ 0.1 (test_tolerance)",
            new Criterion("relative change", Comparison.AtMost, 0.1, "test_tolerance").Text
        );
}
