using System.Text.Json.Serialization;
using Tangent.Data;
using Tangent.Models;

namespace Tangent.Training;

/// <summary>Training loss in output space.</summary>
public enum LossKind
{
    /// <summary>Φ = (1/2n) Σ_i ‖u_i − y_i‖²; g = (U − Y)/n, B = I/n.</summary>
    HalfMse,
    /// <summary>Φ = (1/n) Σ_i −log softmax(u_i)[y_i]; g_i = (π_i − e_{y_i})/n, B_i = (diag π_i − π_i π_iᵀ)/n.</summary>
    CrossEntropy,
}

/// <summary>Optimizer family.</summary>
public enum OptimizerKind
{
    /// <summary>Plain gradient descent w ← w − η ∇Φ (full batch unless batch_size is set).</summary>
    Gd,
    /// <summary>SGD with (heavy-ball) momentum.</summary>
    Sgd,
    /// <summary>Adam (Kingma &amp; Ba), L2 weight decay added to the gradient.</summary>
    Adam,
    /// <summary>AdamW (Loshchilov &amp; Hutter): decoupled weight decay.</summary>
    [JsonStringEnumMemberName("adamw")]
    AdamW,
    /// <summary>AdamW with a per-parameter SNR gate on the step (THEORY §6); weight decay is not gated.</summary>
    [JsonStringEnumMemberName("snr_adamw")]
    SnrAdamW,
}

/// <summary>The gate q ∈ [0, 1] of <see cref="OptimizerKind.SnrAdamW"/> (THEORY §6).</summary>
public enum GateKind
{
    /// <summary>q = (m̂² − αŝ)₊ / ((m̂² − αŝ)₊ + λ_pop ŝ + ε) (default).</summary>
    Soft,
    /// <summary>q = m̂² / (m̂² + λ_pop ŝ).</summary>
    Snr,
    /// <summary>q = 1[m̂² &gt; αŝ].</summary>
    Hard,
    /// <summary>q = 1[ĝ² &gt; v/(b − 1)] from the current batch's per-example gradients.</summary>
    Exact,
    /// <summary>q = 1: plain AdamW (for checks).</summary>
    One,
}

/// <summary>Learning-rate schedule.</summary>
public enum ScheduleKind
{
    /// <summary>η_t = η.</summary>
    Constant,
    /// <summary>η_t = η · min(1, (t + 1)/W).</summary>
    Warmup,
    /// <summary>Linear warm-up over W steps, then η_min + (η − η_min)(1 + cos(π (t − W)/(T − W)))/2.</summary>
    Cosine,
}

/// <summary>Optimizer settings.</summary>
public sealed record OptimizerConfig
{
    /// <summary>Family.</summary>
    public OptimizerKind Kind { get; init; } = OptimizerKind.Gd;
    /// <summary>Learning rate η.</summary>
    public double Lr { get; init; } = 0.05;
    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; }
    /// <summary>Adam β₁.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Adam β₂.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Adam ε.</summary>
    public double Eps { get; init; } = 1e-8;
    /// <summary>Weight decay (L2 for GD/SGD/Adam, decoupled for AdamW and SnrAdamW).</summary>
    public double WeightDecay { get; init; }
    /// <summary>SnrAdamW gate.</summary>
    public GateKind Gate { get; init; } = GateKind.Soft;
    /// <summary>SnrAdamW α: the noise multiple m̂² must exceed (soft, hard). Published value 1.</summary>
    public double Alpha { get; init; } = 1.0;
    /// <summary>SnrAdamW λ_pop (soft, snr). Published defaults disagree: 1 (blog) or 0 (code).</summary>
    public double LambdaPop { get; init; } = 1.0;
    /// <summary>SnrAdamW ρ, the decay of the fluctuation moment s. Published defaults disagree: 0.99 or 0.9.</summary>
    public double Rho { get; init; } = 0.99;
    /// <summary>Learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Constant;
    /// <summary>Warm-up steps W (warmup, cosine).</summary>
    public int WarmupSteps { get; init; }
    /// <summary>Final learning rate of the cosine schedule.</summary>
    public double MinLr { get; init; }

    /// <summary>η_t for step <paramref name="step"/> of <paramref name="total"/>.</summary>
    public double LearningRate(int step, int total)
    {
        double warm = WarmupSteps > 0 ? Math.Min(1.0, (step + 1.0) / WarmupSteps) : 1.0;
        return Schedule switch
        {
            ScheduleKind.Warmup => Lr * warm,
            ScheduleKind.Cosine when step < WarmupSteps => Lr * warm,
            ScheduleKind.Cosine => MinLr + (Lr - MinLr) * 0.5 * (1 + Math.Cos(Math.PI * (step - WarmupSteps) / Math.Max(1, total - WarmupSteps))),
            _ => Lr,
        };
    }

    /// <summary>Checks every field.</summary>
    public OptimizerConfig Validate(string path = "optimizer")
    {
        ConfigException.Require(double.IsFinite(Lr) && Lr > 0, $"{path}.lr", $"must be positive, got {Lr}", "use e.g. 0.05 for GD or 1e-3 for Adam");
        ConfigException.Require(Momentum >= 0 && Momentum < 1, $"{path}.momentum", $"must be in [0, 1), got {Momentum}", "use e.g. 0.9");
        ConfigException.Require(Beta1 >= 0 && Beta1 < 1, $"{path}.beta1", $"must be in [0, 1), got {Beta1}", "use 0.9");
        ConfigException.Require(Beta2 >= 0 && Beta2 < 1, $"{path}.beta2", $"must be in [0, 1), got {Beta2}", "use 0.999");
        ConfigException.Require(Eps > 0, $"{path}.eps", $"must be positive, got {Eps}", "use 1e-8");
        ConfigException.Require(WeightDecay >= 0, $"{path}.weight_decay", $"must be ≥ 0, got {WeightDecay}", "use 0 or e.g. 1e-2");
        ConfigException.Require(Alpha >= 0, $"{path}.alpha", $"must be ≥ 0, got {Alpha}", "use 1");
        ConfigException.Require(LambdaPop >= 0, $"{path}.lambda_pop", $"must be ≥ 0, got {LambdaPop}", "use 1 or 0");
        ConfigException.Require(Rho >= 0 && Rho < 1, $"{path}.rho", $"must be in [0, 1), got {Rho}", "use 0.99 or 0.9");
        ConfigException.Require(WarmupSteps >= 0, $"{path}.warmup_steps", $"must be ≥ 0, got {WarmupSteps}", "use e.g. 100");
        ConfigException.Require(MinLr >= 0 && MinLr <= Lr, $"{path}.min_lr", $"must be in [0, lr], got {MinLr}", "use e.g. 0");
        return this;
    }
}

/// <summary>When the recorder takes kernel snapshots, and of what.</summary>
public sealed record RecordConfig
{
    /// <summary>"log" (log-spaced, <see cref="Count"/> snapshots), "every" (every <see cref="Every"/> steps) or "list" (<see cref="Steps"/>).</summary>
    public string Schedule { get; init; } = "log";
    /// <summary>Snapshots for the log schedule (plus step 0).</summary>
    public int Count { get; init; } = 30;
    /// <summary>Spacing for the every schedule.</summary>
    public int Every { get; init; } = 100;
    /// <summary>Explicit steps for the list schedule.</summary>
    public IReadOnlyList<int> Steps { get; init; } = [];
    /// <summary>Record output-traced kernels (n×n) instead of full output space ((n·p)×(n·p)).</summary>
    public bool Traced { get; init; }
    /// <summary>eNTK method.</summary>
    public string Method { get; init; } = "rules";
    /// <summary>
    /// Record on a fixed random subset S′ ⊂ S of this many training points (0: all). The operators then treat S′ as a uniform
    /// sample of S: K_{S′S} g_S ≈ K_{S′S′} g_{S′} with B = I/n′ — a Monte-Carlo approximation, reported as such.
    /// </summary>
    public int MaxTrain { get; init; }
    /// <summary>Record K_QS on a fixed random subset Q′ ⊂ Q of this many query points (0: all); exact for those points.</summary>
    public int MaxQuery { get; init; }
    /// <summary>
    /// For Adam and AdamW, record J M Jᵀ with the optimizer's diagonal preconditioner M folded in (what the path operators need);
    /// false records the plain eNTK J Jᵀ, which the layerwise rules compute far faster (a diagonal M breaks their Kronecker structure).
    /// </summary>
    public bool Preconditioned { get; init; } = true;

    /// <summary>The snapshot steps for a run of <paramref name="steps"/> steps (always including 0 and the last step).</summary>
    public IReadOnlyList<int> StepsFor(int steps)
    {
        IEnumerable<int> chosen = Schedule switch
        {
            "every" => Enumerable.Range(0, steps / Every + 1).Select(k => k * Every),
            "list" => Steps,
            _ => Schedules.LogSpaced(steps, Math.Min(Count, steps)),
        };
        return chosen.Append(0).Append(steps).Where(s => s >= 0 && s <= steps).Distinct().Order().ToList();
    }

    /// <summary>Checks every field.</summary>
    public RecordConfig Validate(int steps, string path = "record")
    {
        ConfigException.Require(Schedule is "log" or "every" or "list", $"{path}.schedule", $"unknown schedule '{Schedule}'", "use \"log\", \"every\" or \"list\"");
        ConfigException.Require(Count >= 1, $"{path}.count", $"must be at least 1, got {Count}", "use e.g. 30");
        ConfigException.Require(Every >= 1, $"{path}.every", $"must be at least 1, got {Every}", "use e.g. 100");
        ConfigException.Require(Schedule != "list" || Steps.Count > 0, $"{path}.steps", "the list schedule needs steps", "give e.g. [0, 10, 100]");
        ConfigException.Require(Steps.All(s => s >= 0 && s <= steps), $"{path}.steps", $"every step must be in [0, {steps}]", "remove steps past the end of training");
        ConfigException.Require(Method is "rules" or "jacobian" or "vector-products", $"{path}.method", $"unknown method '{Method}'", "use rules, jacobian or vector-products");
        ConfigException.Require(MaxTrain >= 0 && MaxTrain != 1, $"{path}.max_train", $"must be 0 (all) or at least 2, got {MaxTrain}", "use e.g. 500");
        ConfigException.Require(MaxQuery >= 0, $"{path}.max_query", $"must be ≥ 0, got {MaxQuery}", "use e.g. 500");
        return this;
    }
}

/// <summary>The config of <c>tangent train</c> (docs/config.md): task, model, optimizer, loss, length, recording.</summary>
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
    /// <summary>Kernel snapshots; null records none.</summary>
    public RecordConfig? Record { get; init; }
    /// <summary>Steps between checkpoints (0: none); a run with checkpoints can be resumed with <c>tangent train --resume</c>.</summary>
    public int CheckpointEvery { get; init; }
    /// <summary>Log the validation-free population-risk estimate of THEORY §5 (one extra per-example pass per step).</summary>
    public bool RiskEstimate { get; init; } = true;
    /// <summary>Stop once the held-out accuracy (classification) reaches this value at a logged step (null: never).</summary>
    public double? StopAtTestMetric { get; init; }
    /// <summary>Split every minibatch update into its full-batch (drift) and fluctuation (diffusion) parts (THEORY §4; one extra full-batch gradient per step).</summary>
    public bool DriftDiffusion { get; init; }

    /// <summary>
    /// The largest objects of the run, float64 (8 bytes a number): the task's arrays (n + m)(d + p); parameters with
    /// gradients, optimizer moments and checkpoint copies (6P); a forward and backward pass over a batch and the logging
    /// pass over all n + m examples (3·Σ widths each); the per-example gradient moments of the risk estimate (≈ 2P); and,
    /// when recording, one kernel snapshot K_SS (n′p)² + K_QS (m′p)(n′p) (traced: without the p's) plus its analysis copy.
    /// </summary>
    public IReadOnlyList<MemoryItem> MemoryEstimate()
    {
        (double n, double m) = Task.Kind == "modular"
            ? (Math.Ceiling((double)Task.Modulus * Task.Modulus * Task.TrainFraction),
               (double)Task.Modulus * Task.Modulus * (1 - Task.TrainFraction))
            : (Task.TrainSamples, Task.TestSamples);
        double d = Task.InputDimension, p = Task.OutputDimension(Loss), parameters = Model.ParameterCount();
        double batch = BatchSize > 0 ? Math.Min(BatchSize, n) : n;
        string samples = Task.Kind == "modular" ? "task.modulus" : "task.train_samples";
        var items = new List<MemoryItem>
        {
            new($"task arrays ({n:0} + {m:0} examples × {d + p:0})", 8 * (n + m) * (d + p) * 2, samples),
            new($"parameters and optimizer state (P = {parameters:G3})", 8 * 6 * parameters, "model.widths"),
            new("activations of a training pass", 8 * 3 * Math.Max(batch, n + m) * Model.Units(),
                Model.Units() > n + m ? "model.widths" : samples),
        };
        if (Task.Kind == "fashion-mnist") items.Add(new("Fashion-MNIST images", 8 * 2 * 70000.0 * 784, "task.kind"));
        if (RiskEstimate) items.Add(new("per-example gradient moments", 8 * 2 * parameters, "model.widths"));
        if (Record is { } r)
        {
            double ns = r.MaxTrain > 0 ? Math.Min(r.MaxTrain, n) : n, ms = r.MaxQuery > 0 ? Math.Min(r.MaxQuery, m) : m;
            double width = r.Traced ? 1 : p;
            string field = r.MaxTrain > 0 ? "record.max_train" : samples;
            items.Add(new($"kernel snapshot K_SS ({ns * width:0}²) and K_QS, twice", 8 * 2 * (ns * width) * (ns + ms) * width,
                          field));
        }
        return items;
    }

    /// <summary>Checks every field and their consistency.</summary>
    public TrainConfig Validate()
    {
        Task.Validate();
        Model.Validate();
        Optimizer.Validate();
        ConfigException.Require(Model.Widths[0] == Task.InputDimension, "model.widths", $"the first width must be the task's input dimension {Task.InputDimension}, got {Model.Widths[0]}",
            $"set model.widths[0] to {Task.InputDimension}");
        ConfigException.Require(Model.Widths[^1] == Task.OutputDimension(Loss), "model.widths", $"the last width must be the task's output dimension {Task.OutputDimension(Loss)}, got {Model.Widths[^1]}",
            $"set the last width to {Task.OutputDimension(Loss)}");
        ConfigException.Require(Loss != LossKind.CrossEntropy || Task.IsClassification, "loss", $"cross_entropy needs a classification task, got '{Task.Kind}'", "use task.kind \"teacher-classes\" or \"modular\", or loss \"half_mse\"");
        ConfigException.Require(Loss != LossKind.CrossEntropy || Task.OutputDimension(Loss) >= 2, "loss", "cross_entropy needs two or more outputs; a two-class fashion-mnist task has one ±1 output",
            "use loss \"half_mse\", or three or more classes");
        ConfigException.Require(Steps >= 1, "steps", $"must be at least 1, got {Steps}", "use e.g. 1000");
        ConfigException.Require(BatchSize >= 0 && (Task.Kind == "modular" || BatchSize <= Task.TrainSamples), "batch_size", $"must be in [0, {Task.TrainSamples}], got {BatchSize}", "use 0 for full batch");
        ConfigException.Require(LogEvery >= 1, "log_every", $"must be at least 1, got {LogEvery}", "use e.g. 10");
        Seeds.Check(Seed, "seed");
        ConfigException.Require(StopAtTestMetric is null || Task.IsClassification, "stop_at_test_metric", "is defined for held-out accuracy only", "remove it for regression tasks");
        ConfigException.Require(CheckpointEvery >= 0, "checkpoint_every", $"must be ≥ 0, got {CheckpointEvery}", "use 0 (none) or e.g. 500");
        ConfigException.Require(Record is null || !(Record.Traced && Loss == LossKind.CrossEntropy), "record.traced",
            "traced kernels do not close the cross-entropy output dynamics (B couples outputs)", "record full kernels (traced: false) for cross-entropy");
        Record?.Validate(Steps);
        return this;
    }
}
