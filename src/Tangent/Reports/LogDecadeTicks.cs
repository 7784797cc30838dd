using ScottPlot;

namespace Tangent.Reports;

/// <summary>
/// Ticks of an axis whose data are log₁₀ values: labelled at whole decades (every k-th when they crowd),
/// with 2 and 5 labelled too where a decade is wide enough, minor ticks at 2…9 within each decade; over less
/// than a decade, at 1-2-5 (then 1…9) multiples of a power of ten. Labels are values (0.01, 10, 1e6), never
/// fractional exponents.
/// </summary>
public sealed class LogDecadeTicks : ITickGenerator
{
    // Room a label takes along the axis: its text's width on a horizontal axis (≈ 9 px a character at the 14 px tick
    // font, plus a gap), one line of text on a vertical one.
    private const double CharWidth = 9,
        Gap = 14,
        LineHeight = 30;

    /// <inheritdoc/>
    public Tick[] Ticks { get; set; } = [];

    /// <inheritdoc/>
    public int MaxTickCount { get; set; } = 10_000;

    /// <inheritdoc/>
    public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
    {
        Ticks = Generate(range.Min, range.Max, size.Length, edge.IsHorizontal()).Take(MaxTickCount).ToArray();
    }

    /// <summary>The ticks for log₁₀ range [<paramref name="lo"/>, <paramref name="hi"/>] drawn over
    /// <paramref name="pixels"/> along a horizontal or vertical axis, labels never overlapping.</summary>
    public static List<Tick> Generate(double lo, double hi, double pixels, bool horizontal)
    {
        double Room(string label) => horizontal ? label.Length * CharWidth + Gap : LineHeight;
        double spacing = Room("1e-12");
        if (hi < lo)
            (lo, hi) = (hi, lo);
        var ticks = new List<Tick>();
        // Outside ±300 decades 10^v is not a double; such limits come only from a broken range.
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi) || pixels <= 0 || lo < -300 || hi > 300)
            return ticks;
        double perDecade = pixels / (hi - lo);
        int first = (int)Math.Floor(lo),
            last = (int)Math.Ceiling(hi);
        if (hi - lo >= 1)
        {
            // Whole decades, every k-th when they crowd; 2 and 5 as labels when a decade holds three labels.
            int every = Math.Max(1, (int)Math.Ceiling(spacing / perDecade));
            bool twoAndFive = every == 1 && perDecade >= 3 * spacing;
            for (int e = first; e <= last; e++)
            {
                if (e >= lo - 1e-9 && e <= hi + 1e-9 && Mod(e, every) == 0)
                    ticks.Add(Tick.Major(e, Figure.FormatPowerOfTen(e)));
                for (int m = 2; m <= 9; m++)
                {
                    double v = e + Math.Log10(m);
                    if (v < lo || v > hi)
                        continue;
                    ticks.Add(
                        twoAndFive && (m == 2 || m == 5)
                            ? Tick.Major(v, Figure.FormatValue(m * Math.Pow(10, e)))
                            : Tick.Minor(v)
                    );
                }
            }
            if (ticks.Count(t => t.IsMajor) >= 2 || every > 1)
                return ticks;
            ticks.Clear();
        }
        // Less than a decade (or one decade boundary in view): 1-2-5 multiples when three or more fit, else 1…9
        // when they fit, else 1-2-5 anyway; labelled by value.
        var onetwofive = Mantissas(lo, hi, first, last, [1, 2, 5]);
        if (Majors(onetwofive) >= 3 && Fits(onetwofive, perDecade, Room))
            return onetwofive;
        var all = Mantissas(lo, hi, first, last, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        if (Majors(all) >= 2 && Fits(all, perDecade, Room))
            return all;
        if (Majors(onetwofive) >= 2)
            return onetwofive;
        // A narrow range inside one mantissa step: evenly spaced values, labelled with the digits that tell them apart.
        ticks.Clear();
        double a = Math.Pow(10, lo),
            b = Math.Pow(10, hi);
        double step = NiceStep((b - a) / Math.Max(2, Math.Floor(pixels / spacing)));
        // A range of a few ulps (nearly constant data): one label in the middle, not a loop that x += step cannot end.
        if (!(step > 4 * Math.BitIncrement(b) - 4 * b))
        {
            double mid = (lo + hi) / 2;
            ticks.Add(
                Tick.Major(mid, Math.Pow(10, mid).ToString("G6", System.Globalization.CultureInfo.InvariantCulture))
            );
            return ticks;
        }
        double x0 = Math.Ceiling(a / step) * step;
        for (int i = 0; i < MaxLinearTicks; i++)
        {
            double x = x0 + i * step;
            if (x > b + step * 1e-9)
                break;
            ticks.Add(Tick.Major(Math.Log10(x), Figure.FormatValue(x, step)));
        }
        return ticks;
    }

    private static List<Tick> Mantissas(double lo, double hi, int first, int last, int[] labelled)
    {
        var ticks = new List<Tick>();
        for (int e = first - 1; e <= last; e++)
        for (int m = 1; m <= 9; m++)
        {
            double v = e + Math.Log10(m);
            if (v < lo - 1e-12 || v > hi + 1e-12)
                continue;
            ticks.Add(labelled.Contains(m) ? Tick.Major(v, Figure.FormatValue(m * Math.Pow(10, e))) : Tick.Minor(v));
        }
        return ticks;
    }

    private static int Majors(List<Tick> ticks) => ticks.Count(t => t.IsMajor);

    // Neighbouring labels are at least half of each one's room apart.
    private static bool Fits(List<Tick> ticks, double perDecade, Func<string, double> room)
    {
        var p = ticks.Where(t => t.IsMajor).ToList();
        return p.Zip(p.Skip(1))
            .All(q =>
                (q.Second.Position - q.First.Position) * perDecade >= (room(q.First.Label) + room(q.Second.Label)) / 2
            );
    }

    private const int MaxLinearTicks = 50;

    private static int Mod(int a, int m) => ((a % m) + m) % m;

    private static double NiceStep(double raw)
    {
        double p = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / p;
        return (
                f <= 1 ? 1
                : f <= 2 ? 2
                : f <= 5 ? 5
                : 10
            ) * p;
    }
}
