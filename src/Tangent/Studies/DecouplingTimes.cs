using Tangent.Paths;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>
/// The times the dynamical-decoupling study reads off one run (steps; NaN: not reached within the run).
/// </summary>
/// <param name="Generalization">t_gen: the first logged step with L(t) ≤ L_min + (1 − f)(L(0) − L_min), f the
/// config's <c>gen_fraction</c>.</param>
/// <param name="Best">The step of the test minimum (the first, if it repeats).</param>
/// <param name="MinTestLoss">L_min.</param>
/// <param name="FinalTestLoss">The last logged test loss.</param>
/// <param name="Rise">max_{t &gt; t_best} L(t)/L_min − 1 (0 when the minimum is the last row).</param>
/// <param name="Onset">t_over: the first logged step after t_best with L(t) &gt; (1 + r) L_min, r the config's
/// <c>overfit_rise</c>.</param>
/// <param name="HalfFitted">When the fitted share of the noise φ(t) crosses the crossing level.</param>
/// <param name="ChannelHalf">When the noise's share in the channel of W_S(0, t) crosses it.</param>
/// <param name="BestRiskEstimate">The step of the minimum of the risk estimate R̂ (NaN without one).</param>
/// <param name="Horizon">The run's last step.</param>
public sealed record DecouplingTimes(
    double Generalization,
    double Best,
    double MinTestLoss,
    double FinalTestLoss,
    double Rise,
    double Onset,
    double HalfFitted,
    double ChannelHalf,
    double BestRiskEstimate,
    double Horizon
)
{
    /// <summary>Reads the times off a run's metrics and noise timeline.</summary>
    public static DecouplingTimes Of(
        IReadOnlyList<TrainingMetrics> metrics,
        NoiseTimeline noise,
        DynamicalDecouplingConfig c
    )
    {
        var test = metrics.Select(m => m.TestLoss).ToList();
        double min = test.Min();
        int best = test.IndexOf(min);
        double target = min + (1 - c.GenFraction) * (test[0] - min);
        int gen = test.FindIndex(l => l <= target);
        var after = test.Skip(best + 1).ToList();
        double rise = after.Count == 0 ? 0 : after.Max() / min - 1;
        int onset = test.FindIndex(best + 1, l => l > (1 + c.OverfitRise) * min);
        var risk = metrics.Where(m => m.RiskEstimate is { } r && double.IsFinite(r)).ToList();
        return new DecouplingTimes(
            metrics[gen].Step,
            metrics[best].Step,
            min,
            test[^1],
            rise,
            onset < 0 ? double.NaN : metrics[onset].Step,
            noise.FittedCrossing(c.CrossingLevel),
            noise.ChannelCrossing(c.CrossingLevel),
            risk.Count == 0 ? double.NaN : risk.MinBy(m => m.RiskEstimate!.Value)!.Step,
            metrics[^1].Step
        );
    }

    /// <summary>The largest over the smallest of positive times (NaN when any is not positive and finite).</summary>
    public static double Spread(IEnumerable<double> times)
    {
        var t = times.ToList();
        return t.All(x => double.IsFinite(x) && x > 0) ? t.Max() / t.Min() : double.NaN;
    }

    /// <summary>
    /// The least-squares slope of log t on log n over the points whose t was reached (finite and positive); NaN
    /// with fewer than two such points. Points not reached lie beyond the run, so leaving them out can only lower the
    /// slope.
    /// </summary>
    public static double LogSlope(IEnumerable<(double N, double T)> points)
    {
        var reached = points.Where(p => double.IsFinite(p.T) && p.T > 0).ToList();
        if (reached.Count < 2)
            return double.NaN;
        return Statistics.Slope(
            reached.Select(p => Math.Log(p.N)).ToList(),
            reached.Select(p => Math.Log(p.T)).ToList()
        );
    }

    /// <summary>
    /// The factor max(a/b, b/a) between a predicted time <paramref name="predicted"/> and a measured one
    /// <paramref name="measured"/> (steps, shifted by one so that step 0 is 1). When one of them was not reached
    /// within the run (NaN), it lies beyond the horizon H, and the factor is at least max(1, (1 + H)/(1 + the
    /// other)): that lower bound is returned. NaN when neither was reached.
    /// </summary>
    public static double Factor(double predicted, double measured, double horizon)
    {
        bool p = double.IsFinite(predicted),
            m = double.IsFinite(measured);
        if (!p && !m)
            return double.NaN;
        if (!p || !m)
            return Math.Max(1, (1 + horizon) / (1 + (p ? predicted : measured)));
        double a = 1 + predicted,
            b = 1 + measured;
        return Math.Max(a / b, b / a);
    }

    /// <summary>The largest finite value (NaN when there is none).</summary>
    public static double WorstFinite(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? double.NaN : finite.Max();
    }
}
