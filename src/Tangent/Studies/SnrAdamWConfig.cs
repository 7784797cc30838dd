using Tangent.Pinn;
using Tangent.Training;

namespace Tangent.Studies;

/// <summary>Settings of the SnrAdamW study: its experiments, the advection PINN's settings (every number with its
/// source) and the grokking transformer's.</summary>
public sealed record SnrAdamWConfig
{
    /// <summary>The experiments to run: "pinn" (the advection PINN) and "grokking" (the grokking
    /// transformer).</summary>
    public IReadOnlyList<string> Experiments { get; init; } = ["pinn", "grokking"];

    /// <summary>The grokking-transformer experiment's settings.</summary>
    public SnrAdamWGrokkingConfig Grokking { get; init; } = new();

    /// <summary>The equation and its points (Krishnapriyan et al. 2021's convection benchmark, β = 5, with the
    /// preprint's noisy initial condition).</summary>
    public AdvectionConfig Pinn { get; init; } = new();

    /// <summary>The network: (x, t) → u through 4 hidden tanh layers of width 50 (the benchmark's PINN).</summary>
    public IReadOnlyList<int> Widths { get; init; } = [2, 50, 50, 50, 50, 1];

    /// <summary>The learning-rate grid every optimizer is tuned over (the same grid for all).</summary>
    public IReadOnlyList<double> LearningRates { get; init; } = [1e-3, 3e-3, 1e-2];

    /// <summary>
    /// SnrAdamW gates compared with AdamW. The exact gate needs per-example gradients of the loss, which a residual
    /// built from input derivatives does not expose, and the finite-data variant α = b/(n − b) is undefined for
    /// full-batch training (b = n); both are left out of this experiment.
    /// </summary>
    public IReadOnlyList<GateKind> Gates { get; init; } = [GateKind.Soft, GateKind.Snr, GateKind.Hard];

    /// <summary>Decoupled weight decay of AdamW and SnrAdamW.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Adam β₂ (PyTorch's default).</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Iteration budget T per run.</summary>
    public int MaxSteps { get; init; } = 3000;

    /// <summary>Iterations between evaluations of the relative error on the test grid.</summary>
    public int EvaluateEvery { get; init; } = 50;

    /// <summary>Relative ℓ₂ error ‖u − u*‖/‖u*‖ a run must reach (the preprint's 0.40).</summary>
    public double Target { get; init; } = 0.40;

    /// <summary>Seeds per (optimizer, learning rate); medians are over them.</summary>
    public int Seeds { get; init; } = 1;

    /// <summary>Iterations between splits of the update into channel and reservoir (0: none).</summary>
    public int SplitEvery { get; init; } = 500;

    /// <summary>Rows of the residual vector r the split's kernel K = J_r M J_rᵀ is taken over (evenly spaced over
    /// the interior, initial and boundary blocks).</summary>
    public int SplitRows { get; init; } = 96;

    /// <summary>The speed-up the claim needs: AdamW's iterations over SnrAdamW's (the preprint reports 2.4× on the
    /// PINN and 4.9× on the grokking transformer); both experiments' verdicts use it.</summary>
    public double Speedup { get; init; } = 2.0;

    /// <summary>Channel share of the removed update below which the gate removes "mostly reservoir-directed"
    /// components.</summary>
    public double RemovedChannelShare { get; init; } = 0.5;

    /// <summary>Seed of the points (seed) and initializations (seed + 1 + run seed).</summary>
    public long Seed { get; init; }

    /// <summary>Throws a <see cref="ConfigException"/> naming the first bad field.</summary>
    public SnrAdamWConfig Validate()
    {
        ConfigException.Require(
            Experiments.Count > 0
                && Experiments.All(e => e is "pinn" or "grokking")
                && Experiments.Distinct().Count() == Experiments.Count,
            "experiments",
            $"must list pinn and/or grokking, each once, got [{string.Join(", ", Experiments)}]",
            "use [\"pinn\", \"grokking\"]"
        );
        if (Experiments.Contains("grokking"))
            Grokking.Validate();
        Pinn.Validate();
        ConfigException.Require(
            Widths.Count >= 2 && Widths[0] == 2 && Widths[^1] == 1 && Widths.All(w => w >= 1 && w <= 4096),
            "widths",
            $"must map (x, t) to u: [2, …, 1] with widths 1–4096, got [{string.Join(", ", Widths)}]",
            "use [2, 50, 50, 50, 50, 1]"
        );
        ConfigException.Require(
            LearningRates.Count > 0 && LearningRates.All(lr => double.IsFinite(lr) && lr > 0),
            "learning_rates",
            "need at least one positive learning rate",
            "use e.g. [0.001, 0.003, 0.01]"
        );
        ConfigException.Require(
            Gates.Count > 0 && Gates.All(g => g is GateKind.Soft or GateKind.Snr or GateKind.Hard),
            "gates",
            "must list soft, snr or hard (exact needs per-example gradients a PINN loss does not expose)",
            "use [\"soft\", \"snr\", \"hard\"]"
        );
        ConfigException.Require(
            MaxSteps >= 1 && EvaluateEvery >= 1 && EvaluateEvery <= MaxSteps,
            "evaluate_every",
            $"must be between 1 and max_steps ({MaxSteps}), got {EvaluateEvery}",
            "use e.g. 50"
        );
        ConfigException.Require(
            Target > 0 && Target < 1,
            "target",
            $"must be a relative error in (0, 1), got {Target}",
            "use 0.4"
        );
        ConfigException.Require(Seeds >= 1 && Seeds <= 100, "seeds", $"must be 1–100, got {Seeds}", "use 1 or 3");
        ConfigException.Require(
            SplitEvery >= 0 && SplitRows >= 2 && SplitRows <= Pinn.Interior + Pinn.Initial + Pinn.Boundary,
            "split_rows",
            $"must be between 2 and the residual count {Pinn.Interior + Pinn.Initial + Pinn.Boundary}",
            "use e.g. 96"
        );
        ConfigException.Require(
            WeightDecay >= 0 && Beta2 > 0 && Beta2 < 1,
            "weight_decay/beta2",
            "need weight_decay ≥ 0 and 0 < beta2 < 1",
            "use 1e-4 and 0.999"
        );
        Tangent.Seeds.Check(Seed, "seed");
        return this;
    }
}
