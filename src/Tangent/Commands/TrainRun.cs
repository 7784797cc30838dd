using ScottPlot;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Commands;

/// <summary>
/// <c>tangent train</c>: builds the task and model of a <see cref="TrainConfig"/>, trains, records kernel snapshots
/// when the config has a <c>record</c> section, and writes metrics, arrays (inputs, targets, clean targets, label
/// noise, final outputs, parameters), a loss figure and the report into the run directory.
/// </summary>
public static class TrainRun
{
    /// <summary>Reads and validates a train config file; errors name the field.</summary>
    public static TrainConfig Load(string path)
    {
        var config = Json.LoadConfig<TrainConfig>(path, "docs/examples/train-teacher.json");
        // Files a config names (a TorchScript model, a task's arrays) are read relative to it and recorded in full.
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        config = config with
        {
            Task = config.Task.ResolvePaths(dir),
            Init = config.Init is { } init ? Path.GetFullPath(init, dir) : null,
            Model = config.Model.Path is { } file
                ? config.Model with
                {
                    Path = Path.GetFullPath(file, dir),
                }
                : config.Model,
        };
        return config.Validate();
    }

    /// <summary>Continues the unfinished run at <paramref name="path"/> from its checkpoint; ends where an
    /// uninterrupted run would.</summary>
    public static (RunDirectory Run, IReadOnlyList<KeyValuePair<string, object?>> Summary) Resume(
        string path,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default
    )
    {
        var (_, config) = CheckResumable(path);
        var run = RunDirectory.Reopen(path);
        try
        {
            var summary = Run(config, run, progress, cancel, new TrainerControl { Resume = true });
            run.Complete();
            return (run, summary);
        }
        catch (Exception e)
        {
            run.Fail(
                e is OperationCanceledException ? "interrupted" : e.Message.ReplaceLineEndings(" "),
                resumable: true
            );
            throw;
        }
    }

    /// <summary>
    /// The checks before a resume: a run of tangent train, not finished, with a checkpoint, whose recorded config still
    /// reads strictly; returns its record and config. A <see cref="ConfigException"/> names RUN otherwise.
    /// </summary>
    public static (RunInfo Info, TrainConfig Config) CheckResumable(string path)
    {
        var info = RunDirectory.Inspect(path);
        ConfigException.Require(
            info.Command == "train",
            "RUN",
            $"'{path}' was made by 'tangent {info.Command}'",
            "resume a run of 'tangent train'"
        );
        ConfigException.Require(
            info.Status != RunStatus.Done,
            "RUN",
            $"the run at '{path}' already finished",
            "start a new run instead of resuming"
        );
        ConfigException.Require(
            Checkpoint.Exists(path),
            "RUN",
            $"'{path}' has no checkpoint",
            "train with checkpoint_every > 0 to be able to resume"
        );
        var config = Json.Read<TrainConfig>(info.Config, "RUN config ").Validate();
        return (info, config);
    }

    /// <summary>Runs <paramref name="config"/> into <paramref name="run"/> through <see cref="Runner"/>; returns the
    /// summary.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> Run(
        TrainConfig config,
        RunDirectory run,
        IProgress<ProgressReport>? progress = null,
        CancellationToken cancel = default,
        TrainerControl? control = null,
        IReadOnlyList<ITrainingObserver>? extraObservers = null
    ) =>
        Runner
            .Run(new RunSpec { Config = config, Probes = extraObservers ?? [] }, run, progress, cancel, control)
            .Summary;
}
