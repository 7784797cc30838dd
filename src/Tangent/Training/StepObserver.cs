namespace Tangent.Training;

/// <summary>An observer made of one function, for callers whose per-step work is a few lines (the demo's
/// curve).</summary>
/// <param name="onStep">Called with each <see cref="TrainingState"/>, before the step's update.</param>
public sealed class StepObserver(Action<TrainingState> onStep) : ITrainingObserver
{
    /// <inheritdoc/>
    public void OnStep(TrainingState state) => onStep(state);
}
