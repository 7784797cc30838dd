namespace Tangent;

/// <summary>
/// Student's t distribution with ν degrees of freedom, for confidence intervals over seeds:
/// F(t) = 1 − ½ I_{ν/(ν+t²)}(ν/2, ½) for t ≥ 0 (I the regularized incomplete beta function), and its quantile
/// by bisection on F.
/// </summary>
public static class StudentT
{
    /// <summary>The cumulative distribution F(t) with <paramref name="nu"/> degrees of freedom.</summary>
    public static double Cdf(double t, double nu)
    {
        if (!(nu > 0))
            throw new ArgumentOutOfRangeException(nameof(nu), "degrees of freedom must be positive");
        double tail = 0.5 * RegularizedBeta(nu / (nu + t * t), nu / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>The quantile t_p: F(t_p) = <paramref name="p"/>, 0 &lt; p &lt; 1 (e.g. t_{0.975, 9} = 2.262).</summary>
    public static double Quantile(double p, double nu)
    {
        if (!(p > 0 && p < 1))
            throw new ArgumentOutOfRangeException(nameof(p), "p must be in (0, 1)");
        if (p < 0.5)
            return -Quantile(1 - p, nu);
        double lo = 0,
            hi = 1;
        while (Cdf(hi, nu) < p)
            hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-13 * Math.Max(1, hi); i++)
        {
            double mid = 0.5 * (lo + hi);
            if (Cdf(mid, nu) < p)
                lo = mid;
            else
                hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>The half-width of the two-sided 95 % t interval of a mean: t_{0.975, n−1} · s/√n (NaN for n &lt;
    /// 2).</summary>
    public static double HalfWidth95(double sampleStd, int n) =>
        n < 2 ? double.NaN : Quantile(0.975, n - 1) * sampleStd / Math.Sqrt(n);

    /// <summary>I_x(a, b), by the continued fraction of Lentz's method on the side where it converges fast.</summary>
    public static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0)
            return 0;
        if (x >= 1)
            return 1;
        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? front * ContinuedFraction(x, a, b) / a
            : 1 - front * ContinuedFraction(1 - x, b, a) / b;
    }

    private static double ContinuedFraction(double x, double a, double b)
    {
        const double tiny = 1e-300;
        double c = 1,
            d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m <= 500; m++)
        {
            for (int k = 0; k < 2; k++)
            {
                double coefficient =
                    k == 0
                        ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                        : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
                d = 1 + coefficient * d;
                d = 1 / (Math.Abs(d) < tiny ? tiny : d);
                c = 1 + coefficient / c;
                if (Math.Abs(c) < tiny)
                    c = tiny;
                h *= d * c;
                if (k == 1 && Math.Abs(d * c - 1) < 1e-15)
                    return h;
            }
        }
        return h;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, nine coefficients: relative error below 1e-15).</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        double[] g =
        [
            0.99999999999980993,
            676.5203681218851,
            -1259.1392167224028,
            771.32342877765313,
            -176.61502916214059,
            12.507343278686905,
            -0.13857109526572012,
            9.9843695780195716e-6,
            1.5056327351493116e-7,
        ];
        x -= 1;
        double sum = g[0];
        for (int i = 1; i < g.Length; i++)
            sum += g[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
