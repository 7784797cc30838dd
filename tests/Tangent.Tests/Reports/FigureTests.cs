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

    private static int DarkPixels(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        int dark = 0;
        for (int y = 0; y < bitmap.Height; y += 2)
        for (int x = 0; x < bitmap.Width; x += 2)
            if (bitmap.GetPixel(x, y) is var c && c.Red < 100 && c.Green < 100 && c.Blue < 100)
                dark++;
        return dark;
    }

    /// <summary>
    /// A legend is moved outside the data area, below it; a plot whose legend has no items (bars) must still
    /// render: ScottPlot draws a blank image when given an empty legend panel (caught here on the four-cells bars).
    /// </summary>
    [Fact]
    public void PlotsWithAndWithoutLegendItemsRenderTheirContent()
    {
        var bars = Figure.NewPlot("bars", "", "share");
        bars.Add.Bars(new[] { 0.5, 0.4, 0.3 });
        bars.ShowLegend(ScottPlot.Alignment.UpperRight);
        Assert.True(DarkPixels(Figure.Render(bars, "b", "c").Png) > 500, "the bar plot rendered blank");

        var lines = Figure.NewPlot("lines", "x", "y");
        var l = lines.Add.ScatterLine(new double[] { 0, 1 }, new double[] { 0, 1 });
        l.LegendText = "THE LEGEND";
        lines.ShowLegend(ScottPlot.Alignment.UpperLeft);
        var figure = Figure.Render(lines, "l", "c");
        Assert.True(DarkPixels(figure.Png) > 500, "the line plot rendered blank");
        Assert.Contains("THE LEGEND", figure.Svg);
        // One entry: the legend is drawn below the data area and its axis label, dark pixels (its text) there.
        var data = lines.RenderManager.LastRender.DataRect;
        using var bitmap = SKBitmap.Decode(figure.Png);
        int outside = 0;
        for (int y = (int)data.Bottom + 45; y < bitmap.Height; y++)
        for (int x = 0; x < bitmap.Width; x++)
            if (bitmap.GetPixel(x, y) is var c && c.Red < 100 && c.Green < 100 && c.Blue < 100)
                outside++;
        Assert.True(outside > 100, $"no legend below the data area ({outside} dark pixels there)");
    }

    /// <summary>Log axes are labelled at decades (with 2 and 5 where a decade is wide), never at fractional
    /// exponents such as 3.2 or 31.6.</summary>
    [Theory]
    [InlineData(0.0, 4.5, 560.0, "1 10 100 1000 1e4")]
    [InlineData(0.0, 2.0, 560.0, "1 2 5 10 20 50 100")]
    [InlineData(0.2, 0.9, 560.0, "2 3 4 5 6 7")]
    [InlineData(-12.0, 3.0, 400.0, "1e-12 1e-9 1e-6 1e-3 1 1000")]
    public void LogTicksSitAtDecadesAndTheirTwosAndFives(double lo, double hi, double pixels, string labels)
    {
        var ticks = LogDecadeTicks.Generate(lo, hi, pixels, horizontal: true);
        Assert.Equal(labels, string.Join(" ", ticks.Where(t => t.IsMajor).Select(t => t.Label)));
    }

    /// <summary>The SVG is drawn with solid lines (Skia's SVG backend cannot dash and complains on stderr), and the
    /// dashes come back for the PNG.</summary>
    [Fact]
    public void DashedLinesAreSolidOnlyInTheSvg()
    {
        var plot = Figure.NewPlot("dashes", "x", "y");
        var line = plot.Add.ScatterLine(new double[] { 0, 1 }, new double[] { 0, 1 });
        line.LinePattern = ScottPlot.LinePattern.Dashed;
        line.LineWidth = 3;
        var figure = Figure.Render(plot, "d", "c");
        Assert.Equal(ScottPlot.LinePattern.Dashed, line.LinePattern);
        Assert.DoesNotContain("dasharray", figure.Svg);
        // Along the drawn diagonal of the PNG, the dashes leave gaps: some pixels on the line are background.
        float left = plot.RenderManager.LastRender.DataRect.Left,
            right = plot.RenderManager.LastRender.DataRect.Right;
        using var bitmap = SKBitmap.Decode(figure.Png);
        int gaps = 0,
            ink = 0;
        for (double t = 0.1; t <= 0.9; t += 0.002)
        {
            var pixel = plot.GetPixel(new ScottPlot.Coordinates(t, t));
            var c = bitmap.GetPixel((int)pixel.X, (int)pixel.Y);
            if (c.Red > 240 && c.Green > 240 && c.Blue > 240)
                gaps++;
            else
                ink++;
        }
        Assert.True(gaps > 20 && ink > 20, $"{gaps} gaps and {ink} inked points along a dashed line ({left}..{right})");
    }

    /// <summary>Nearly constant log data give ranges of a few ulps: the ticks end (the linear fallback once looped
    /// forever when x += step could not move x), stay inside the range, and are few; broken ranges give none.</summary>
    [Theory]
    [InlineData(-0.18259651632236285, 2)]
    [InlineData(5.0, 4)]
    [InlineData(0.0, 1)]
    [InlineData(0.3, 1_000_000)]
    public void LogTicksOfATinyRangeEndInsideIt(double lo, int ulps)
    {
        double hi = lo;
        for (int i = 0; i < ulps; i++)
            hi = Math.BitIncrement(hi);
        var ticks = LogDecadeTicks.Generate(lo, hi, 500, horizontal: false);
        Assert.InRange(ticks.Count, 1, 50);
        Assert.All(ticks, t => Assert.InRange(t.Position, lo - 1e-12, hi + 1e-12));
        Assert.Empty(LogDecadeTicks.Generate(-1e12, 1e12, 500, horizontal: false));
        Assert.Empty(LogDecadeTicks.Generate(double.NaN, 1, 500, horizontal: false));
    }
}
