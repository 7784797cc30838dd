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
        return plot;
    }

    /// <summary>Shows the left axis on a log₁₀ scale: data must be plotted as log₁₀(y).</summary>
    public static void LogY(Plot plot) => plot.Axes.Left.TickGenerator = LogTicks();

    /// <summary>Shows the bottom axis on a log₁₀ scale: data must be plotted as log₁₀(x).</summary>
    public static void LogX(Plot plot) => plot.Axes.Bottom.TickGenerator = LogTicks();

    /// <summary>Renders <paramref name="plot"/> to SVG and PNG.</summary>
    public static RenderedFigure Render(Plot plot, string name, string caption, int width = Width, int height = Height)
    {
        string svg = plot.GetSvgXml(width, height);
        byte[] png = plot.GetImage(width, height).GetImageBytes(ImageFormat.Png);
        return new RenderedFigure(name, caption, svg, png);
    }

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() =>
        new()
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            // Whole decades when the range spans several; fractional exponents (labelled by value) when it spans less
            // than one.
            IntegerTicksOnly = false,
            LabelFormatter = v =>
                Math.Abs(v - Math.Round(v)) < 1e-9 ? FormatPowerOfTen(v) : FormatValue(Math.Pow(10, v)),
        };

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
