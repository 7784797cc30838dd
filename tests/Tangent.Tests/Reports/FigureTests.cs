using SkiaSharp;
using Tangent.Reports;

namespace Tangent.Tests.Reports;

/// <summary>Figures draw their text with the shipped font (SkiaSharp 4.x silently drops text; 3.119 must
/// not).</summary>
public class FigureTests
{
    [Fact]
    public void ShippedFontIsEmbeddedAndIsDejaVuSans()
    {
        var resolver = ShippedFontResolver.Load();
        using var typeface = resolver.CreateTypeface(Figure.FontName, false, false);
        Assert.NotNull(typeface);
        Assert.Equal(Figure.FontName, typeface.FamilyName);
        Assert.Null(resolver.CreateTypeface("Some Other Font", false, false));
    }

    [Fact]
    public void TitleTextIsRendered()
    {
        var plot = Figure.NewPlot("TITLE TEXT MUST BE VISIBLE", "x", "y");
        plot.Add.ScatterLine(new double[] { 0, 1 }, new double[] { 0, 1 });
        var figure = Figure.Render(plot, "t", "caption");
        using var bitmap = SKBitmap.Decode(figure.Png);
        Assert.Equal(Figure.Width, bitmap.Width);
        // The title sits in the top band, above the data area: count dark pixels there.
        int dark = 0;
        for (int y = 0; y < 40; y++)
        for (int x = 0; x < bitmap.Width; x++)
            if (bitmap.GetPixel(x, y) is var c && c.Red < 100 && c.Green < 100 && c.Blue < 100)
                dark++;
        Assert.True(dark > 200, $"only {dark} dark pixels in the title band: text is not being drawn");
        Assert.Contains("TITLE TEXT MUST BE VISIBLE", figure.Svg);
    }

    [Theory]
    [InlineData(0, "1")]
    [InlineData(-2, "0.01")]
    [InlineData(3, "1000")]
    [InlineData(4, "1e4")]
    [InlineData(-7, "1e-7")]
    public void LogTicksAreLabelledAsPowersOfTen(double exponent, string label) =>
        Assert.Equal(label, Figure.FormatPowerOfTen(exponent));

    [Theory]
    [InlineData(3162.27766, "3162")]
    [InlineData(31.6227766, "31.6")]
    [InlineData(0.0316227766, "0.032")]
    [InlineData(316227.766, "3.2e5")]
    public void FractionalDecadeTicksAreLabelledInPlainNotation(double value, string label) =>
        Assert.Equal(label, Figure.FormatValue(value));
}
