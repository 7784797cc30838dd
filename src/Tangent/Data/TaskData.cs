using static TorchSharp.torch;

namespace Tangent.Data;

/// <summary>
/// A supervised regression task with known ground truth: training inputs X_S (n×d), noisy targets Y_S = f*(X_S) + ε
/// with the injected noise ε recorded, and clean test data (m×d). Tensors are owned by the task (detached from
/// dispose scopes); dispose the task to free them.
/// </summary>
public sealed class TaskData : IDisposable
{
    /// <summary>Creates a task and takes ownership of its tensors.</summary>
    public TaskData(Tensor trainX, Tensor trainY, Tensor trainClean, Tensor testX, Tensor testY)
    {
        TrainX = trainX.DetachFromDisposeScope();
        TrainY = trainY.DetachFromDisposeScope();
        TrainClean = trainClean.DetachFromDisposeScope();
        TestX = testX.DetachFromDisposeScope();
        TestY = testY.DetachFromDisposeScope();
    }

    /// <summary>Training inputs X_S, n×d.</summary>
    public Tensor TrainX { get; }

    /// <summary>Training targets Y_S = f*(X_S) + ε, n×p.</summary>
    public Tensor TrainY { get; }

    /// <summary>Clean training targets f*(X_S), n×p.</summary>
    public Tensor TrainClean { get; }

    /// <summary>The injected label noise ε = Y_S − f*(X_S), n×p.</summary>
    public Tensor LabelNoise => TrainY - TrainClean;

    /// <summary>Test inputs X_Q, m×d.</summary>
    public Tensor TestX { get; }

    /// <summary>Clean test targets f*(X_Q), m×p.</summary>
    public Tensor TestY { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        TrainX.Dispose();
        TrainY.Dispose();
        TrainClean.Dispose();
        TestX.Dispose();
        TestY.Dispose();
    }
}
