using Tangent.Channel;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// When the label noise ε = Y_S − Y_S,clean is fitted, read at every snapshot t_k of a window starting at s (THEORY
/// §2–3), two ways:
/// <list type="bullet">
/// <item>the theory's prediction: the channel share of ε under the prefix Gramian W_S(s, t_k),
/// ‖Π_ch ε‖²/‖ε‖², at the ½-MSE threshold λ⋆ = (n/2)(1 − e⁻²) (the modes with ηλ(t_k − s)/n
/// ≥ 1, relaxed by
/// e⁻¹ or more);</item>
/// <item>the measurement: the fitted share φ(t_k) = ⟨U_S(t_k) − U′_S(t_k), ε⟩/‖ε‖², where U′ are the
/// outputs of
/// the clean twin — the same initial model trained the same way on the clean targets — so U − U′ is exactly
/// what
/// the noise did to the training outputs (for a frozen kernel, (I − P(t_k, s))ε). The plain displacement
/// ⟨U_S(t_k) − U_S(s), ε⟩ is not used: it also carries the fit of the clean targets and of −U_S(s), whose
/// overlap
/// with ε is of the same order (measured: 9 % of ‖ε‖² after one step at n = 200).</item>
/// </list>
/// For a frozen kernel the two cross ½ close together when the noise spreads over modes whose relaxation times
/// n/(ηλ) span decades; on a moving kernel W_S is the realized path's, so their agreement is the test.
/// </summary>
/// <param name="Steps">The snapshot steps t_k (the first is s).</param>
/// <param name="ChannelShare">‖Π_ch ε‖²/‖ε‖² under W_S(s, t_k) (0 at s).</param>
/// <param name="Fitted">φ(t_k).</param>
/// <param name="ChannelDimensions">The channel dimension of W_S(s, t_k).</param>
public sealed record NoiseTimeline(
    IReadOnlyList<int> Steps,
    IReadOnlyList<double> ChannelShare,
    IReadOnlyList<double> Fitted,
    IReadOnlyList<int> ChannelDimensions
)
{
    /// <summary>The ½-MSE channel threshold on W_S's eigenvalues, (n/2)(1 − e⁻²).</summary>
    public static double LambdaStar(long n) => n / 2.0 * (1 - Math.Exp(-2));

    /// <summary>φ = ⟨U − U′, ε⟩/‖ε‖² for outputs U (noisy run), U′ (clean twin) and noise of one
    /// shape.</summary>
    public static double FittedShare(Tensor noisy, Tensor clean, Tensor noise)
    {
        using var scope = NewDisposeScope();
        var e = noise.to_type(ScalarType.Float64).reshape(-1);
        var du = (noisy - clean).to_type(ScalarType.Float64).reshape(-1);
        return du.dot(e).item<double>() / e.dot(e).item<double>();
    }

    /// <summary>
    /// Computes the timeline over <paramref name="window"/> (snapshots of a ½-MSE run without momentum) for the
    /// noise <paramref name="noise"/> [n, p], with <paramref name="twin"/> the clean twin's training outputs at each
    /// snapshot step.
    /// </summary>
    public static NoiseTimeline Compute(
        IReadOnlyList<Snapshot> window,
        SnapshotIndex index,
        Tensor noise,
        IReadOnlyList<Tensor> twin,
        CancellationToken cancel = default
    )
    {
        if (twin.Count != window.Count)
            throw new ArgumentException($"the clean twin has {twin.Count} outputs for {window.Count} snapshots");
        if (index.Loss != LossKind.HalfMse)
            throw new ArgumentException("the noise timeline uses the ½-MSE channel threshold");
        if (index.Momentum is not null)
            throw new ArgumentException("the noise timeline uses the momentum-free operators (a GD or SGD run)");
        using var scope = NewDisposeScope();
        long n = window[0].Us.shape[0];
        double lambdaStar = LambdaStar(n);
        var columns = PathOperators.AsColumns(noise.to_type(ScalarType.Float64), index.Traced);
        var steps = new List<int> { window[0].Step };
        var shares = new List<double> { 0 };
        var dims = new List<int> { 0 };
        using var ops = PathOperators.Compute(
            window,
            index.Loss,
            index.Traced,
            index.Outputs,
            cancel: cancel,
            prefix: (step, gramian) =>
            {
                using var split = SpectralPartition.OfAbsolute(gramian, lambdaStar);
                steps.Add(step);
                shares.Add(split.ChannelShareOfColumns(columns));
                dims.Add(split.ChannelSize);
            }
        );
        var fitted = window.Select((s, k) => FittedShare(s.Us, twin[k], noise)).ToList();
        return new NoiseTimeline(steps, shares, fitted, dims);
    }

    /// <summary>When the channel share first reaches <paramref name="level"/> (log-interpolated; NaN:
    /// never).</summary>
    public double ChannelCrossing(double level) =>
        Statistics.FirstLogCrossing(Steps.Select(s => (double)s).ToList(), ChannelShare, level);

    /// <summary>When the fitted share first reaches <paramref name="level"/> (log-interpolated; NaN:
    /// never).</summary>
    public double FittedCrossing(double level) =>
        Statistics.FirstLogCrossing(Steps.Select(s => (double)s).ToList(), Fitted, level);
}
