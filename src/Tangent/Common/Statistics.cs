namespace Tangent;

/// <summary>Small descriptive statistics used in summaries.</summary>
public static class Statistics
{
    /// <summary>Pearson correlation Σ(a − ā)(b − b̄) / √(Σ(a − ā)² Σ(b − b̄)²) (0 when either is
    /// constant).</summary>
    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(),
            mb = b.Average();
        double cov = a.Zip(b, (x, y) => (x - ma) * (y - mb)).Sum();
        double d = Math.Sqrt(a.Sum(x => (x - ma) * (x - ma)) * b.Sum(y => (y - mb) * (y - mb)));
        return d == 0 ? 0 : cov / d;
    }

    /// <summary>The middle value of the sorted values (the mean of the two middle ones for an even count; NaN for
    /// none).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length == 0 ? double.NaN
            : s.Length % 2 == 1 ? s[s.Length / 2]
            : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Spearman rank correlation: <see cref="Pearson"/> of the ranks, tied values sharing their average
    /// rank.</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => Pearson(Ranks(a), Ranks(b));

    /// <summary>Ranks 1…n in ascending order; a run of equal values gets the mean of the ranks it spans.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (int start = 0; start < order.Length; )
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
                end++;
            for (int k = start; k <= end; k++)
                ranks[order[k]] = (start + end) / 2.0 + 1;
            start = end + 1;
        }
        return ranks;
    }

    /// <summary>Least-squares slope of y on x: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)² (a growth exponent when both
    /// are logarithms).</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(),
            my = y.Average();
        return x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
    }

    /// <summary>
    /// The first index i with values[i] ≥ max − <paramref name="tolerance"/>: where a curve first reaches its
    /// maximum, with values closer than the tolerance counted as equal, so that a rounding difference
    /// (1.0000000000000002 against 1.0) cannot move the answer.
    /// </summary>
    public static int FirstNearMaximum(IReadOnlyList<double> values, double tolerance)
    {
        if (values.Count == 0)
            throw new ArgumentException("no values", nameof(values));
        double max = values.Max();
        for (int i = 0; i < values.Count; i++)
            if (values[i] >= max - tolerance)
                return i;
        return values.Count - 1;
    }

    /// <summary>
    /// The first time at which the sampled curve y(t) reaches <paramref name="level"/>: the first sample k with
    /// y_k ≥ level, interpolated linearly in y against log(1 + t) between samples k − 1 and k (steps start at 0,
    /// hence
    /// the 1 +). NaN when the curve never reaches the level; t₀ when it starts there.
    /// </summary>
    public static double FirstLogCrossing(IReadOnlyList<double> t, IReadOnlyList<double> y, double level)
    {
        if (t.Count != y.Count)
            throw new ArgumentException("t and y differ in length", nameof(y));
        for (int k = 0; k < t.Count; k++)
        {
            if (!(y[k] >= level))
                continue;
            if (k == 0 || y[k] == level || !(y[k] > y[k - 1]))
                return t[k];
            double a = Math.Log(1 + t[k - 1]),
                b = Math.Log(1 + t[k]),
                f = (level - y[k - 1]) / (y[k] - y[k - 1]);
            return Math.Exp(a + f * (b - a)) - 1;
        }
        return double.NaN;
    }
}
