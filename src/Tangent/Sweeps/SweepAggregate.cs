namespace Tangent.Sweeps;

/// <summary>
/// Aggregates a <see cref="SweepIndex"/> over seeds: the finished runs are grouped by every axis but the seed, and
/// each numeric summary scalar (and the wall time) gets a <see cref="SweepStatistic"/> per group; a verdict
/// (<c>holds</c>/<c>fails</c>) counts as 1/0.
/// </summary>
public static class SweepAggregate
{
    /// <summary>The metrics of <paramref name="index"/> that can be averaged: numeric summary columns, verdict columns
    /// and wall_seconds.</summary>
    public static IReadOnlyList<string> Metrics(SweepIndex index) =>
        index
            .Columns.Where(c =>
                c.Kind == "summary" && (c.IsNumeric || IsVerdict(index, c.Name)) || c.Name == "wall_seconds"
            )
            .Select(c => c.Name)
            .ToList();

    /// <summary>The axes a sweep's statistics are grouped by: all but the seed key.</summary>
    public static IReadOnlyList<string> GroupAxes(SweepManifest manifest) =>
        manifest.Axes.Where(a => a != manifest.SeedKey).ToList();

    /// <summary>Every statistic: one per group and metric, groups in the order of their first run.</summary>
    public static IReadOnlyList<SweepStatistic> Of(SweepIndex index, IReadOnlyList<string> groupAxes)
    {
        int status = index.ColumnOf("status");
        var axisColumns = groupAxes.Select(index.AxisColumnOf).ToList();
        var done = index.Rows.Where(r => (string?)r[status] == "done").ToList();
        var groups = done.GroupBy(r => string.Join("\u001f", axisColumns.Select(i => SweepIndexFiles.Text(r[i]))));
        var statistics = new List<SweepStatistic>();
        var metrics = Metrics(index);
        var verdicts = metrics.Where(m => IsVerdict(index, m)).ToHashSet();
        foreach (var group in groups)
        {
            var point = groupAxes
                .Select((a, k) => (a, group.First()[axisColumns[k]]))
                .ToDictionary(p => p.a, p => p.Item2);
            foreach (var metric in metrics)
            {
                int column = index.ColumnOf(metric);
                var values = group
                    .Select(r => SweepIndex.NumberOf(r[column]))
                    .Where(v => v is not null)
                    .Select(v => v!.Value)
                    .ToList();
                if (values.Count == 0)
                    continue;
                statistics.Add(
                    verdicts.Contains(metric) ? Share(point, metric, values) : Statistic(point, metric, values)
                );
            }
        }
        return statistics;
    }

    /// <summary>n, mean, sample standard deviation and the 95 % t interval of <paramref name="values"/>.</summary>
    public static SweepStatistic Statistic(
        IReadOnlyDictionary<string, object?> point,
        string metric,
        IReadOnlyList<double> values
    )
    {
        int n = values.Count;
        double mean = values.Average();
        double std = n < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double half = StudentT.HalfWidth95(std, n);
        return new SweepStatistic(point, metric, n, mean, std, mean - half, mean + half);
    }

    /// <summary>
    /// A verdict's share of seeds where it holds, p̂ = k/n, with the 95 % Wilson score interval
    /// (p̂ + z²/2n ± z√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n), z = 1.96: a binomial share's interval
    /// stays in [0, 1] and is not empty when every seed agrees, where the t interval of 0/1 values would be.
    /// </summary>
    public static SweepStatistic Share(
        IReadOnlyDictionary<string, object?> point,
        string metric,
        IReadOnlyList<double> values
    )
    {
        const double z = 1.959963984540054;
        int n = values.Count;
        double p = values.Average();
        double std = n < 2 ? double.NaN : Math.Sqrt(values.Sum(v => (v - p) * (v - p)) / (n - 1));
        double denominator = 1 + z * z / n;
        double center = (p + z * z / (2 * n)) / denominator;
        double half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return new SweepStatistic(point, metric, n, p, std, center - half, center + half);
    }

    private static bool IsVerdict(SweepIndex index, string column)
    {
        int i = index.ColumnOf(column);
        var values = index.Rows.Select(r => r[i]).Where(v => v is not null).ToList();
        return values.Count > 0 && values.All(v => v is "holds" or "fails" or "undecided");
    }
}
