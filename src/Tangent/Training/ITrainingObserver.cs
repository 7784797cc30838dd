using Tangent.Kernels;
using Tangent.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>Something that watches a run (the kernel recorder, metric loggers).</summary>
public interface ITrainingObserver
{
    /// <summary>Called at every step before the update, and once more at the end with
    /// <see cref="TrainingState.Final"/>.</summary>
    void OnStep(TrainingState state);
}
