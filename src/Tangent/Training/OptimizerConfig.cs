using Tangent.Data;
using Tangent.Models;

namespace Tangent.Training;

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

    /// <summary>
    /// The exact gate's noise multiple α in q = 1[ĝ² − α v &gt; 0] (v the batch's per-example gradient variance):
    /// null for the unbiased 1/(b − 1) of THEORY §5; b/(n − b) is the finite-data variant for a training set of n
    /// reused across epochs.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(
        Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull
    )]
    public double? ExactAlpha { get; init; }

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
            ScheduleKind.Cosine => MinLr
                + (Lr - MinLr)
                    * 0.5
                    * (1 + Math.Cos(Math.PI * (step - WarmupSteps) / Math.Max(1, total - WarmupSteps))),
            _ => Lr,
        };
    }

    /// <summary>Checks every field.</summary>
    public OptimizerConfig Validate(string path = "optimizer")
    {
        ConfigException.Require(
            double.IsFinite(Lr) && Lr > 0,
            $"{path}.lr",
            $"must be positive, got {Lr}",
            "use e.g. 0.05 for GD or 1e-3 for Adam"
        );
        ConfigException.Require(
            Momentum >= 0 && Momentum < 1,
            $"{path}.momentum",
            $"must be in [0, 1), got {Momentum}",
            "use e.g. 0.9"
        );
        ConfigException.Require(Beta1 >= 0 && Beta1 < 1, $"{path}.beta1", $"must be in [0, 1), got {Beta1}", "use 0.9");
        ConfigException.Require(
            Beta2 >= 0 && Beta2 < 1,
            $"{path}.beta2",
            $"must be in [0, 1), got {Beta2}",
            "use 0.999"
        );
        ConfigException.Require(Eps > 0, $"{path}.eps", $"must be positive, got {Eps}", "use 1e-8");
        ConfigException.Require(
            WeightDecay >= 0,
            $"{path}.weight_decay",
            $"must be ≥ 0, got {WeightDecay}",
            "use 0 or e.g. 1e-2"
        );
        ConfigException.Require(Alpha >= 0, $"{path}.alpha", $"must be ≥ 0, got {Alpha}", "use 1");
        ConfigException.Require(
            ExactAlpha is null || (double.IsFinite(ExactAlpha.Value) && ExactAlpha > 0),
            $"{path}.exact_alpha",
            $"must be a positive number, got {ExactAlpha}",
            "leave it out (1/(b − 1)) or use b/(n − b)"
        );
        ConfigException.Require(LambdaPop >= 0, $"{path}.lambda_pop", $"must be ≥ 0, got {LambdaPop}", "use 1 or 0");
        ConfigException.Require(Rho >= 0 && Rho < 1, $"{path}.rho", $"must be in [0, 1), got {Rho}", "use 0.99 or 0.9");
        ConfigException.Require(
            WarmupSteps >= 0,
            $"{path}.warmup_steps",
            $"must be ≥ 0, got {WarmupSteps}",
            "use e.g. 100"
        );
        ConfigException.Require(
            MinLr >= 0 && MinLr <= Lr,
            $"{path}.min_lr",
            $"must be in [0, lr], got {MinLr}",
            "use e.g. 0"
        );
        return this;
    }
}
