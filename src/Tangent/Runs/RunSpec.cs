using Tangent.Data;
using Tangent.Models;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Runs;

/// <summary>
/// Everything one training run needs, fixed before it starts: the <see cref="TrainConfig"/> (task, model, optimizer,
/// loss, schedule, batch, steps, record, stop-at-test-metric, seed) and the extension points a study plugs in instead
/// of writing its own loop. <see cref="Runner"/> is the one way to execute it.
/// </summary>
public sealed record RunSpec
{
    /// <summary>The run's config, recorded in run.json; its seed s seeds the task (s), the model (s + 1) and the
    /// batches (s + 2).</summary>
    public required TrainConfig Config { get; init; }

    /// <summary>
    /// Builds the model (any <c>Module&lt;Tensor, Tensor&gt;</c>; its <c>parameters()</c> are trained). Null: the MLP
    /// of <c>Config.Model</c> seeded with s + 1. It must build the same initial model every call: a resumed run or a
    /// reused arm calls it again.
    /// </summary>
    public Func<nn.Module<Tensor, Tensor>>? Model { get; init; }

    /// <summary>
    /// The task source: builds the data from the initial model (for tasks defined relative to it, e.g. targets
    /// shifted by f(w₀, x)). Null: <c>Config.Task.Create(s)</c>. A config whose <c>task.kind</c> is
    /// <c>provided</c> needs one.
    /// </summary>
    public Func<nn.Module<Tensor, Tensor>, TaskData>? Task { get; init; }

    /// <summary>Per-step probes: they see the state after backward and before the update (self-influence, Fourier
    /// IPR, parameter traces).</summary>
    public IReadOnlyList<ITrainingObserver> Probes { get; init; } = [];

    /// <summary>The gradient transform g ↦ g′ of the output-space gradient (∇_w ← J_Sᵀ g′); null:
    /// none.</summary>
    public Func<int, Tensor, Tensor>? GradientTransform { get; init; }

    /// <summary>A stop condition checked at every step (e.g. "the training set is fitted"); null: none.</summary>
    public Func<TrainingState, bool>? StopWhen { get; init; }

    /// <summary>The objective each step minimizes instead of the config's loss (<see
    /// cref="TrainerControl.Objective"/>); null: the config's loss.</summary>
    public Func<nn.Module<Tensor, Tensor>, Tensor>? Objective { get; init; }

    /// <summary>Analyze the recorded snapshots with these options once training ends (needs
    /// <c>Config.Record</c>); null: no analysis.</summary>
    public AnalyzeOptions? Analysis { get; init; }

    /// <summary>The key a divergence message tells the user to lower.</summary>
    public string LearningRateField { get; init; } = "optimizer.lr";

    /// <summary>Whether a finished run of this spec can stand in for a new one: same config, and no probe that would
    /// have to see the steps again.</summary>
    public bool Reusable => Probes.Count == 0;

    /// <summary>Validates the config and the extension points; a <see cref="ConfigException"/> names the
    /// field.</summary>
    public RunSpec Validate()
    {
        Config.Validate();
        ConfigException.Require(
            Task is not null || Config.Task.Kind != "provided",
            "task.kind",
            "'provided' tasks are made by code and have no generator",
            "use a built-in task kind"
        );
        ConfigException.Require(
            Analysis is null || Config.Record is not null,
            "record",
            "an analyzed run must record kernel snapshots",
            "add a record section"
        );
        return this;
    }

    /// <summary>The initial model: <see cref="Model"/>, or the config's MLP seeded with s + 1.</summary>
    public nn.Module<Tensor, Tensor> BuildModel()
    {
        if (Model is not null)
            return Model();
        var model = ModelFactory.Create(Config.Model, Seeds.Generator(Config.Seed + 1), Config.ScalarType);
        if (Config.Init is { } weights)
            Store.ParameterFiles.Load(model, weights, "init");
        return model;
    }

    /// <summary>The task for <paramref name="model"/> (the initial one): <see cref="Task"/>, or the config's.</summary>
    public TaskData BuildTask(nn.Module<Tensor, Tensor> model) =>
        Task?.Invoke(model) ?? Config.Task.Create(Config.Seed, Config.ScalarType);
}
