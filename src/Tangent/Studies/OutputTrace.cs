using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// A probe that keeps the training outputs U_S(t) = f(w_t, X_S) at chosen steps, seen where the kernel recorder sees
/// them (before the step's update, and at the end), so they line up with another run's snapshots.
/// </summary>
internal sealed class OutputTrace(IEnumerable<int> steps) : ITrainingObserver
{
    private readonly HashSet<int> _steps = [.. steps];

    /// <summary>The outputs [n, p] (float64) by step.</summary>
    public Dictionary<int, double[,]> Outputs { get; } = [];

    /// <inheritdoc/>
    public void OnStep(TrainingState state)
    {
        if (!_steps.Contains(state.Step) || Outputs.ContainsKey(state.Step))
            return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var u = state.Model.call(state.Task.TrainX).to_type(ScalarType.Float64).contiguous();
        long n = u.shape[0],
            p = u.numel() / n;
        var flat = u.data<double>().ToArray();
        var m = new double[n, p];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        Outputs[state.Step] = m;
    }

    /// <summary>The outputs at <paramref name="step"/> as a tensor [n, p].</summary>
    public Tensor At(int step) =>
        Outputs.TryGetValue(step, out var m)
            ? tensor(m)
            : throw new InvalidOperationException($"the clean twin recorded no outputs at step {step}");
}
