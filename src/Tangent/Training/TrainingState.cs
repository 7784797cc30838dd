using Tangent.Data;
using Tangent.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>What an observer sees at a step: after the gradient of this step is computed, before the update.</summary>
public sealed record TrainingState(
    int Step,
    nn.Module<Tensor, Tensor> Model,
    TaskData Task,
    Optimizer Optimizer,
    double LearningRate,
    LossKind Loss,
    bool Final
);
