using Tangent.Reports;

namespace Tangent.Tests.Reports;

/// <summary>How reports print numbers and text.</summary>
public class HtmlReportTests
{
    /// <summary>"corr 1" hid a correlation of 0.999996: a value is never printed as a small whole number it is
    /// not.</summary>
    [Theory]
    [InlineData(0.999996, "0.999996")]
    [InlineData(1.0, "1")]
    [InlineData(-0.99999991, "-0.9999999")]
    [InlineData(2.00004, "2.00004")]
    [InlineData(0.1234567, "0.1235")]
    [InlineData(12345.6, "1.235E+04")]
    [InlineData(0.0, "0")]
    [InlineData(3e-7, "3E-07")]
    public void NumbersNeverRoundOntoAWholeNumberTheyAreNot(double value, string shown) =>
        Assert.Equal(shown, HtmlReport.Number(value));

    [Fact]
    public void BackticksInAParagraphBecomeCode()
    {
        string html = new HtmlReport("t").Paragraph("run `tangent analyze` on <it>").Build();
        Assert.Contains("run <code>tangent analyze</code> on &lt;it&gt;", html);
        Assert.DoesNotContain("`", html);
    }
}
