namespace Tangent.Sweeps;

/// <summary>
/// One metric at one point of a sweep, over its seeds: the runs that have it (n), their mean x̄, the sample
/// standard deviation s, and the 95 % t interval x̄ ± t_{0.975, n−1} s/√n (NaN bounds for n &lt; 2). For a
/// verdict the values are 1 (holds) and 0 (fails), so the mean is the share of seeds where it holds.
/// </summary>
public sealed record SweepStatistic(
    IReadOnlyDictionary<string, object?> Point,
    string Metric,
    int N,
    double Mean,
    double Std,
    double Low,
    double High
);
