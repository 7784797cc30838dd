namespace Tangent;

/// <summary>Small descriptive statistics used in summaries.</summary>
public static class Statistics
{
    /// <summary>Pearson correlation Σ(a − ā)(b − b̄) / √(Σ(a − ā)² Σ(b − b̄)²) (0 when either is constant).</summary>
    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        double ma = a.Average(), mb = b.Average();
        double cov = a.Zip(b, (x, y) => (x - ma) * (y - mb)).Sum();
        double d = Math.Sqrt(a.Sum(x => (x - ma) * (x - ma)) * b.Sum(y => (y - mb) * (y - mb)));
        return d == 0 ? 0 : cov / d;
    }

    /// <summary>Least-squares slope of y on x: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)² (a growth exponent when both are logarithms).</summary>
    public static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        double mx = x.Average(), my = y.Average();
        return x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum() / x.Sum(a => (a - mx) * (a - mx));
    }
}
