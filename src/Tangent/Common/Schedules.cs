namespace Tangent;

/// <summary>Step schedules for checkpoints and logging.</summary>
public static class Schedules
{
    /// <summary>
    /// Step 0 plus <paramref name="count"/> distinct steps in [1, <paramref name="last"/>], as evenly spaced in
    /// log(step) as integer rounding allows: t_k = max(t_{k−1} + 1, round(last^{k/(count−1)})), with the tail
    /// pulled back so the final step is exactly <paramref name="last"/>.
    /// </summary>
    public static IReadOnlyList<int> LogSpaced(int last, int count)
    {
        if (count < 1)
            throw new ArgumentOutOfRangeException(nameof(count), "need at least one step");
        if (count > last)
            throw new ArgumentOutOfRangeException(nameof(count), $"cannot place {count} distinct steps in [1, {last}]");
        var steps = new int[count];
        for (int k = 0; k < count; k++)
        {
            double target = count == 1 ? last : Math.Exp(Math.Log(last) * k / (count - 1));
            steps[k] = Math.Max(k == 0 ? 1 : steps[k - 1] + 1, (int)Math.Round(target));
        }
        steps[count - 1] = last;
        for (int k = count - 2; k >= 0; k--)
            steps[k] = Math.Min(steps[k], steps[k + 1] - 1);
        return new[] { 0 }.Concat(steps).ToList();
    }
}
