using Tangent.Data;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Training;

/// <summary>The config of <c>tangent train</c> (docs/config.md): task, model, optimizer, loss, length,
/// recording.</summary>
public sealed record TrainConfig
{
    /// <summary>The data.</summary>
    public TaskConfig Task { get; init; } = new();

    /// <summary>The network.</summary>
    public MlpConfig Model { get; init; } = new() { Widths = [1, 256, 1] };

    /// <summary>The optimizer.</summary>
    public OptimizerConfig Optimizer { get; init; } = new();

    /// <summary>The loss.</summary>
    public LossKind Loss { get; init; } = LossKind.HalfMse;

    /// <summary>Optimizer steps T.</summary>
    public int Steps { get; init; } = 1000;

    /// <summary>Minibatch size (0: full batch).</summary>
    public int BatchSize { get; init; }

    /// <summary>Steps between rows of metrics.csv.</summary>
    public int LogEvery { get; init; } = 10;

    /// <summary>Seed of data (seed), initialization (seed + 1) and batches (seed + 2).</summary>
    public long Seed { get; init; }

    /// <summary>
    /// Weights to start from instead of the seeded initialization (a directory of .npy files, a torch.save state dict
    /// or a .safetensors file, keys as the model names them; <c>tangent train --init PATH</c>); null: none.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    )]
    public string? Init { get; init; }

    /// <summary>
    /// The floating dtype the model and the task's tensors train in: "float64" (null, the default) or "float32"
    /// (about 2.7× faster for the transformer on this machine, for long runs whose kernels are not recorded; kernel
    /// snapshots and every analysis stay float64).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    )]
    public string? Dtype { get; init; }

    /// <summary>The <see cref="Dtype"/> as a TorchSharp scalar type.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ScalarType ScalarType => Dtype == "float32" ? ScalarType.Float32 : ScalarType.Float64;

    /// <summary>Kernel snapshots; null records none.</summary>
    public RecordConfig? Record { get; init; }

    /// <summary>Steps between checkpoints (0: none); a run with checkpoints can be resumed with <c>tangent train
    /// --resume</c>.</summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Log the validation-free population-risk estimate of THEORY §5 (one extra per-example pass per
    /// step).</summary>
    public bool RiskEstimate { get; init; } = true;

    /// <summary>
    /// Steps k between the risk estimate's increments (null: 1, every step): R̂ takes the increment of every k-th
    /// step t times k, −kη_t Σ p (ĝ² − c·v), a Riemann sum over the run for long runs whose per-example pass
    /// would cost more than the step itself.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    )]
    public int? RiskEvery { get; init; }

    /// <summary>The <see cref="RiskEvery"/> in effect.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int RiskInterval => RiskEvery ?? 1;

    /// <summary>Stop once the held-out accuracy (classification) reaches this value at a logged step (null:
    /// never).</summary>
    public double? StopAtTestMetric { get; init; }

    /// <summary>Split every minibatch update into its full-batch (drift) and fluctuation (diffusion) parts (THEORY §4;
    /// one extra full-batch gradient per step).</summary>
    public bool DriftDiffusion { get; init; }

    /// <summary>
    /// The largest objects of the run, float64 (8 bytes a number): the task's arrays (n + m)(d + p); parameters with
    /// gradients, optimizer moments and checkpoint copies (6P); a forward and backward pass over a batch and the
    /// logging pass over all n + m examples (3·Σ widths each); the per-example gradient moments of the risk estimate
    /// (≈ 2P); and, when recording, one kernel snapshot K_SS (n′p)² + K_QS (m′p)(n′p) (traced: without the
    /// p's) plus its analysis copy.
    /// </summary>
    public IReadOnlyList<MemoryItem> MemoryEstimate()
    {
        (double n, double m) =
            Task.Kind == "modular"
                ? (
                    Math.Ceiling((double)Task.Modulus * Task.Modulus * Task.TrainFraction),
                    (double)Task.Modulus * Task.Modulus * (1 - Task.TrainFraction)
                )
                : (Task.TrainSamples, Task.TestSamples);
        double d = Task.InputDimension,
            p = Task.OutputDimension,
            parameters = Model.IsTorchScript() ? ScriptParameters(Model) : Model.ParameterCount();
        double batch = BatchSize > 0 ? Math.Min(BatchSize, n) : n;
        string samples = Task.Kind == "modular" ? "task.modulus" : "task.train_samples";
        var items = new List<MemoryItem>
        {
            new($"task arrays ({n:0} + {m:0} examples × {d + p:0})", 8 * (n + m) * (d + p) * 2, samples),
            new($"parameters and optimizer state (P = {parameters:G3})", 8 * 6 * parameters, "model.widths"),
            new(
                "activations of a training pass",
                8 * 3 * Math.Max(batch, n + m) * Model.Units(),
                Model.Units() > n + m ? "model.widths" : samples
            ),
        };
        if (Task.Kind == "fashion-mnist")
            items.Add(new("Fashion-MNIST images", 8 * 2 * 70000.0 * 784, "task.kind"));
        if (RiskEstimate)
            items.Add(new("per-example gradient moments", 8 * 2 * parameters, "model.widths"));
        if (Record is { } r)
        {
            double ns = r.MaxTrain > 0 ? Math.Min(r.MaxTrain, n) : n,
                ms = r.MaxQuery > 0 ? Math.Min(r.MaxQuery, m) : m;
            double width = r.Traced ? 1 : p;
            string field = r.MaxTrain > 0 ? "record.max_train" : samples;
            if (r.Rank > 0)
            {
                double landmarks = Math.Min(ns, r.Landmarks > 0 ? r.Landmarks : 2 * r.Rank + 50) * width;
                items.Add(
                    new(
                        $"Nyström snapshot: cross kernels to {landmarks:0} landmark rows, twice, and factors of rank "
                            + $"{r.Rank}",
                        8 * (2 * (ns + ms) * width * landmarks + 2 * (ns + ms) * width * r.Rank),
                        "record.landmarks"
                    )
                );
                if (r.Refine > 0)
                    items.Add(
                        new(
                            $"Nyström refinement: Krylov basis, its images, Ritz vectors and their images "
                                + $"({ns * width:0} × {r.Refine * landmarks:0} each) and one 512 × 4096-sample tile",
                            8 * (4 * ns * width * landmarks * r.Refine + 512 * 4096 * width * width),
                            "record.refine"
                        )
                    );
            }
            else
                items.Add(
                    new(
                        $"kernel snapshot K_SS ({ns * width:0}²) and K_QS, twice",
                        8 * 2 * (ns * width) * (ns + ms) * width,
                        field
                    )
                );
        }
        return items;
    }

    private static double ScriptParameters(MlpConfig model)
    {
        using var module = Models.TorchScriptModel.Load(model.Path!, "model.path");
        return module.parameters().Sum(p => (double)p.numel());
    }

    /// <summary>Checks every field and their consistency.</summary>
    public TrainConfig Validate()
    {
        Task.Validate();
        Model.Validate();
        Optimizer.Validate();
        // A TorchScript module's shapes are in its file, and a provided task's in its arrays: the runner runs one input
        // through the model and checks its outputs.
        bool shapesKnown = Task.Kind != "provided";
        if (shapesKnown && Model.Type == "cnn")
        {
            int channels = Task.InputChannels();
            ConfigException.Require(
                channels > 0,
                "model.type",
                $"a cnn takes images [n, C, H, W], and this {Task.Kind} task has flat inputs",
                "set task.images: true for fashion-mnist, or give 4-D arrays with task.kind arrays"
            );
            ConfigException.Require(
                Model.Widths[0] == channels,
                "model.widths",
                $"the first width must be the images' channel count {channels}, got {Model.Widths[0]}",
                $"set model.widths[0] to {channels}"
            );
        }
        else if (shapesKnown && Model.Type == "transformer")
        {
            int length = Task.SequenceLength();
            ConfigException.Require(
                length > 0,
                "model.type",
                $"a transformer takes token sequences [n, T], and this {Task.Kind} task has none",
                "set task.sequence: true for modular, or give 2-D token arrays with task.kind arrays"
            );
            ConfigException.Require(
                Model.Tokens == length,
                "model.tokens",
                $"the transformer's positions must be the sequence length {length}, got {Model.Tokens}",
                $"set model.tokens to {length}"
            );
            ConfigException.Require(
                Task.Kind != "modular" || Model.Widths[0] >= Task.Modulus + 1,
                "model.widths",
                $"the vocabulary must hold a, b < {Task.Modulus} and '=' ({Task.Modulus + 1} ids), got "
                    + $"{Model.Widths[0]}",
                $"set model.widths[0] to {Task.Modulus + 1}"
            );
        }
        else if (Model.Type == "mlp")
            ConfigException.Require(
                !Task.Images && !Task.Sequence,
                Task.Images ? "task.images" : "task.sequence",
                "shapes the inputs for another model type (images: cnn, sequence: transformer)",
                "remove it for an mlp"
            );
        if (shapesKnown && Model.Type == "mlp")
        {
            ConfigException.Require(
                Model.Widths[0] == Task.InputDimension,
                "model.widths",
                $"the first width must be the task's input dimension {Task.InputDimension}, got {Model.Widths[0]}",
                $"set model.widths[0] to {Task.InputDimension}"
            );
            ConfigException.Require(
                Model.Widths[^1] == Task.OutputDimension,
                "model.widths",
                $"the last width must be the task's output dimension {Task.OutputDimension}, got {Model.Widths[^1]}",
                $"set the last width to {Task.OutputDimension}"
            );
        }
        if (shapesKnown && Model.Type is "cnn" or "transformer")
            ConfigException.Require(
                Model.Widths[^1] == Task.OutputDimension,
                "model.widths",
                $"the last width must be the task's output dimension {Task.OutputDimension}, got {Model.Widths[^1]}",
                $"set the last width to {Task.OutputDimension}"
            );
        ConfigException.Require(
            // A provided task's targets are made in code (one-hot where its study trains cross-entropy).
            Loss != LossKind.CrossEntropy
                || Task.IsClassification
                || Task.Kind == "provided",
            "loss",
            $"cross_entropy needs a classification task, got '{Task.Kind}'",
            "use task.kind \"teacher-classes\" or \"modular\", or loss \"half_mse\""
        );
        ConfigException.Require(
            Loss != LossKind.CrossEntropy || Task.OutputDimension >= 2,
            "loss",
            "cross_entropy needs two or more outputs; a two-class fashion-mnist task has one ±1 output",
            "use loss \"half_mse\", or three or more classes"
        );
        ConfigException.Require(Steps >= 1, "steps", $"must be at least 1, got {Steps}", "use e.g. 1000");
        ConfigException.Require(
            BatchSize >= 0 && (Task.Kind == "modular" || BatchSize <= Task.TrainSamples),
            "batch_size",
            $"must be in [0, {Task.TrainSamples}], got {BatchSize}",
            "use 0 for full batch"
        );
        ConfigException.Require(
            RiskEvery is null || (RiskEvery >= 1 && RiskEstimate),
            "risk_every",
            RiskEstimate ? $"must be at least 1, got {RiskEvery}" : "has no effect with risk_estimate false",
            RiskEstimate ? "use e.g. 10" : "remove it or set risk_estimate true"
        );
        ConfigException.Require(LogEvery >= 1, "log_every", $"must be at least 1, got {LogEvery}", "use e.g. 10");
        Seeds.Check(Seed, "seed");
        ConfigException.Require(
            StopAtTestMetric is null || Task.IsClassification,
            "stop_at_test_metric",
            "is defined for held-out accuracy only",
            "remove it for regression tasks"
        );
        ConfigException.Require(
            CheckpointEvery >= 0,
            "checkpoint_every",
            $"must be ≥ 0, got {CheckpointEvery}",
            "use 0 (none) or e.g. 500"
        );
        ConfigException.Require(
            Record is null || !(Record.Traced && Loss == LossKind.CrossEntropy && Record.Preconditioned),
            "record.traced",
            "traced kernels do not close the cross-entropy output dynamics (B couples outputs)",
            "record full kernels (traced: false) for cross-entropy, or instantaneous plain kernels only "
                + "(preconditioned: false), which tangent analyze cannot use"
        );
        ConfigException.Require(
            Dtype is null or "float64" or "float32",
            "dtype",
            $"unknown dtype '{Dtype}'",
            "use float64 (the default) or float32"
        );
        ConfigException.Require(
            ScalarType == ScalarType.Float64 || Record is null || Record.Rank > 0,
            "dtype",
            "dense kernel snapshots (record) are computed and analyzed in float64",
            "use dtype float64, record Nyström snapshots (record.rank, whose factors are kept in float64), or drop "
                + "the record section"
        );
        ConfigException.Require(
            Record is null || Record.Rank == 0 || Loss == LossKind.HalfMse,
            "record.rank",
            "factored snapshots are analyzed for ½-MSE only (under cross-entropy B couples the kept directions with "
                + "the rest)",
            "use loss half_mse, or record dense kernels (remove record.rank)"
        );
        Record?.Validate(Steps);
        return this;
    }
}
