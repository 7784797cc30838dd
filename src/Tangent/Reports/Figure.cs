using ScottPlot;

namespace Tangent.Reports;

/// <summary>
/// Renders ScottPlot plots with the font Tangent ships (DejaVu Sans, embedded in the assembly), so figures look the
/// same on every machine and from every way of installing Tangent.
/// </summary>
public static class Figure
{
    /// <summary>Family name figures are drawn with.</summary>
    public const string FontName = "DejaVu Sans";
    private static readonly Lazy<bool> FontRegistered = new(RegisterFont);

    /// <summary>Default pixel size of figures.</summary>
    public const int Width = 900,
        Height = 560;

    /// <summary>A new plot styled for reports (shipped font, readable sizes).</summary>
    public static Plot NewPlot(string title, string xLabel, string yLabel)
    {
        _ = FontRegistered.Value;
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title, size: 20);
        plot.XLabel(xLabel, size: 17);
        plot.YLabel(yLabel, size: 17);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Axes.Left.TickLabelStyle.FontSize = 14;
        plot.Legend.FontSize = 14;
        plot.Legend.FontName = FontName;
        // Room past the data area's right edge, so the last tick label of the bottom axis is not clipped.
        plot.Axes.Right.MinimumSize = 36;
        return plot;
    }

    /// <summary>Shows the left axis on a log₁₀ scale: data must be plotted as log₁₀(y).</summary>
    public static void LogY(Plot plot) => plot.Axes.Left.TickGenerator = new LogDecadeTicks();

    /// <summary>Shows the bottom axis on a log₁₀ scale: data must be plotted as log₁₀(x).</summary>
    public static void LogX(Plot plot) => plot.Axes.Bottom.TickGenerator = new LogDecadeTicks();

    /// <summary>
    /// Renders <paramref name="plot"/> to SVG and PNG. A legend placed inside the data area is moved outside it
    /// (below, or to the right when it has more than four entries), so it never covers data.
    /// </summary>
    public static RenderedFigure Render(Plot plot, string name, string caption, int width = Width, int height = Height)
    {
        // Outside the data area: below it in one row for up to four entries (the data keep the full width, the title
        // fits), to the right for more. Only with items: an empty legend panel makes ScottPlot render a blank image.
        int entries = plot.Legend.GetItems().Count(i => !string.IsNullOrEmpty(i.LabelText));
        if (plot.Legend.IsVisible && entries > 0)
        {
            plot.Legend.IsVisible = false;
            plot.ShowLegend(entries <= 4 ? Edge.Bottom : Edge.Right);
        }
        string svg = SvgWithSolidLines(plot, width, height);
        byte[] png = plot.GetImage(width, height).GetImageBytes(ImageFormat.Png);
        return new RenderedFigure(name, caption, svg, png);
    }

    // Skia's SVG backend has no path effects: it draws a dashed line solid and prints "Unsupported path effect in
    // addPaint" on stderr for each one. So the SVG is drawn with every line pattern solid (what it would show anyway,
    // without the noise), then the patterns are restored for the PNG, which shows the dashes.
    private static string SvgWithSolidLines(Plot plot, int width, int height)
    {
        var patterned = plot.GetPlottables()
            .SelectMany(p =>
                p.GetType()
                    .GetProperties()
                    .Where(q => q.PropertyType == typeof(LineStyle) && q.CanRead)
                    .Select(q => q.GetValue(p))
                    .OfType<LineStyle>()
            )
            .Where(style => !style.Pattern.Equals(LinePattern.Solid))
            .Select(style => (Style: style, Pattern: style.Pattern))
            .ToList();
        foreach (var (style, _) in patterned)
            style.Pattern = LinePattern.Solid;
        try
        {
            return plot.GetSvgXml(width, height);
        }
        finally
        {
            foreach (var (style, pattern) in patterned)
                style.Pattern = pattern;
        }
    }

    /// <summary>A tick value in plain notation between 0.001 and 10⁵ (3 significant digits), as 3.2e6
    /// outside.</summary>
    public static string FormatValue(double x)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        if (x >= 1e-3 && x < 1e5)
            return x.ToString(
                x < 1 ? "0.###"
                    : x < 100 ? "0.#"
                    : "0",
                c
            );
        int e = (int)Math.Floor(Math.Log10(x));
        return (x / Math.Pow(10, e)).ToString("0.#", c) + "e" + e.ToString(c);
    }

    /// <summary>A tick value <paramref name="x"/> with as many decimals as step <paramref name="step"/> between
    /// neighbouring ticks needs to tell them apart.</summary>
    public static string FormatValue(double x, double step)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        if (x >= 1e-3 && x < 1e5)
        {
            int decimals = Math.Clamp((int)Math.Ceiling(-Math.Log10(step) - 1e-9), 0, 10);
            return x.ToString("F" + decimals.ToString(c), c);
        }
        int digits = Math.Clamp((int)Math.Ceiling(Math.Log10(Math.Abs(x) / step)) + 1, 2, 12);
        return x.ToString("G" + digits.ToString(c), c);
    }

    /// <summary>Tick label for log₁₀ value <paramref name="exponent"/>: 0.01, 0.1, 1, 10, 100, otherwise
    /// 1e±k.</summary>
    public static string FormatPowerOfTen(double exponent)
    {
        int k = (int)Math.Round(exponent);
        return k switch
        {
            >= -2 and <= 3 => Math.Pow(10, k).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
            _ => $"1e{k}",
        };
    }

    private static bool RegisterFont()
    {
        Fonts.FontResolvers.Add(ShippedFontResolver.Load());
        return true;
    }
}
