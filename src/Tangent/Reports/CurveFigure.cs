using ScottPlot;

namespace Tangent.Reports;

/// <summary>
/// A line figure declared as data: curves y_k(x) over one x, with log axes under one floor policy — on a log axis a
/// value at or below <see cref="Floor"/> (zero, negative, tiny) is drawn at the floor, and the caption says so. Studies
/// declare figures with it instead of drawing each by hand.
/// </summary>
public sealed record CurveFigure
{
    /// <summary>File name (without extension) under figures/.</summary>
    public required string Name { get; init; }

    /// <summary>Title above the plot.</summary>
    public required string Title { get; init; }

    /// <summary>x-axis label.</summary>
    public required string XLabel { get; init; }

    /// <summary>y-axis label (what all curves measure).</summary>
    public required string YLabel { get; init; }

    /// <summary>The caption under the figure (the floor sentence is added when a value was floored).</summary>
    public required string Caption { get; init; }

    /// <summary>The x values, shared by every curve.</summary>
    public required IReadOnlyList<double> X { get; init; }

    /// <summary>The curves.</summary>
    public required IReadOnlyList<Curve> Curves { get; init; }

    /// <summary>Log₁₀ x axis.</summary>
    public bool LogX { get; init; }

    /// <summary>Log₁₀ y axis.</summary>
    public bool LogY { get; init; }

    /// <summary>The log-axis floor: values ≤ it are drawn at it.</summary>
    public double Floor { get; init; } = 1e-6;

    /// <summary>Where the legend goes.</summary>
    public Alignment Legend { get; init; } = Alignment.LowerLeft;

    /// <summary>One curve: its legend text, colour and values (one per x; NaN leaves a gap).</summary>
    public sealed record Curve(string Label, Color Color, IReadOnlyList<double> Y, bool Dashed = false);

    /// <summary>Draws the figure.</summary>
    public RenderedFigure Render()
    {
        var plot = Figure.NewPlot(Title, XLabel, YLabel);
        bool floored = false;
        double Y(double v)
        {
            if (!LogY)
                return v;
            if (v <= Floor)
                floored = true;
            return Math.Log10(Math.Max(v, Floor));
        }
        var x = X.Select(v => LogX ? Math.Log10(v) : v).ToArray();
        foreach (var curve in Curves)
        {
            if (curve.Y.Count != x.Length)
                throw new ArgumentException($"curve '{curve.Label}' has {curve.Y.Count} values for {x.Length} x");
            var line = plot.Add.Scatter(x, curve.Y.Select(Y).ToArray());
            line.Color = curve.Color;
            line.LineWidth = 2.5f;
            line.LegendText = curve.Label;
            if (curve.Dashed)
                line.LinePattern = LinePattern.Dashed;
        }
        if (LogX)
            Figure.LogX(plot);
        if (LogY)
            Figure.LogY(plot);
        plot.ShowLegend(Legend);
        string floor = floored
            ? $" Values at or below {Figure.FormatValue(Floor)} are drawn at {Figure.FormatValue(Floor)}."
            : "";
        return Figure.Render(plot, Name, Caption + floor);
    }
}
