using Tangent.Data;
using Tangent.Models;

namespace Tangent.Training;

/// <summary>When the recorder takes kernel snapshots, and of what.</summary>
public sealed record RecordConfig
{
    /// <summary>"log" (log-spaced, <see cref="Count"/> snapshots), "every" (every <see cref="Every"/> steps) or "list"
    /// (<see cref="Steps"/>).</summary>
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
    /// Record on a fixed random subset S′ ⊂ S of this many training points (0: all). The operators then treat S′
    /// as a uniform sample of S: K_{S′S} g_S ≈ K_{S′S′} g_{S′} with B = I/n′ — a Monte-Carlo
    /// approximation, reported as such.
    /// </summary>
    public int MaxTrain { get; init; }

    /// <summary>Record K_QS on a fixed random subset Q′ ⊂ Q of this many query points (0: all); exact for those
    /// points.</summary>
    public int MaxQuery { get; init; }

    /// <summary>
    /// For Adam and AdamW, record J M Jᵀ with the optimizer's diagonal preconditioner M folded in (what the path
    /// operators need); false records the plain eNTK J Jᵀ, which the layerwise rules compute far faster (a diagonal M
    /// breaks their Kronecker structure).
    /// </summary>
    public bool Preconditioned { get; init; } = true;

    /// <summary>
    /// Record factored snapshots of this rank (0: dense): the top-r eigenpairs of each K_SS by Nyström from
    /// <see cref="Landmarks"/> landmark samples, and K_QS on the same directions, never forming either kernel
    /// (O(N·m) memory), each with a certificate (Paths/FactoredSnapshot), and with momentum its images H_S, H_Q.
    /// ½-MSE only; the analysis is then factored (momentum-aware like the dense one).
    /// </summary>
    public int Rank { get; init; }

    /// <summary>Landmark samples of the Nyström snapshots (0: min(n, 2r + 50)); the same random draw at every
    /// snapshot.</summary>
    public int Landmarks { get; init; }

    /// <summary>Power iterations with exact K·v products behind each Nyström snapshot's lower error bound (0: none;
    /// each costs about one pass of per-example gradients over the training set).</summary>
    public int Probes { get; init; }

    /// <summary>Exact-product refinements of each Nyström snapshot (0: plain Nyström): a block Krylov space from
    /// the Nyström basis ending in Rayleigh–Ritz with the exact K, and K_QS exact on the kept directions; each
    /// costs about one dense kernel computation, streamed, never held (Kernels/LowRank/Nystrom).</summary>
    public int Refine { get; init; }

    /// <summary>The snapshot steps for a run of <paramref name="steps"/> steps (always including 0 and the last
    /// step).</summary>
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
        ConfigException.Require(
            Schedule is "log" or "every" or "list",
            $"{path}.schedule",
            $"unknown schedule '{Schedule}'",
            "use \"log\", \"every\" or \"list\""
        );
        ConfigException.Require(Count >= 1, $"{path}.count", $"must be at least 1, got {Count}", "use e.g. 30");
        ConfigException.Require(Every >= 1, $"{path}.every", $"must be at least 1, got {Every}", "use e.g. 100");
        ConfigException.Require(
            Schedule != "list" || Steps.Count > 0,
            $"{path}.steps",
            "the list schedule needs steps",
            "give e.g. [0, 10, 100]"
        );
        ConfigException.Require(
            Steps.All(s => s >= 0 && s <= steps),
            $"{path}.steps",
            $"every step must be in [0, {steps}]",
            "remove steps past the end of training"
        );
        ConfigException.Require(
            Method is "rules" or "jacobian" or "vector-products",
            $"{path}.method",
            $"unknown method '{Method}'",
            "use rules, jacobian or vector-products"
        );
        ConfigException.Require(
            MaxTrain >= 0 && MaxTrain != 1,
            $"{path}.max_train",
            $"must be 0 (all) or at least 2, got {MaxTrain}",
            "use e.g. 500"
        );
        ConfigException.Require(MaxQuery >= 0, $"{path}.max_query", $"must be ≥ 0, got {MaxQuery}", "use e.g. 500");
        ConfigException.Require(
            Rank >= 0,
            $"{path}.rank",
            $"must be 0 (dense) or at least 1, got {Rank}",
            "use e.g. 200"
        );
        ConfigException.Require(
            Landmarks == 0 || (Landmarks >= 1 && Rank > 0),
            $"{path}.landmarks",
            Rank > 0 ? $"must be 0 (automatic) or at least 1, got {Landmarks}" : "is used only with record.rank",
            Rank > 0 ? "use e.g. 1000" : "set record.rank too, or remove record.landmarks"
        );
        ConfigException.Require(
            Probes >= 0 && (Probes == 0 || Rank > 0),
            $"{path}.probes",
            Probes < 0 ? $"must be ≥ 0, got {Probes}" : "is used only with record.rank",
            Probes < 0 ? "use e.g. 2" : "set record.rank too, or remove record.probes"
        );
        ConfigException.Require(
            Refine >= 0 && (Refine == 0 || Rank > 0),
            $"{path}.refine",
            Refine < 0 ? $"must be ≥ 0, got {Refine}" : "is used only with record.rank",
            Refine < 0 ? "use e.g. 2" : "set record.rank too, or remove record.refine"
        );
        ConfigException.Require(
            Rank == 0 || Method == "rules",
            $"{path}.method",
            $"factored snapshots (record.rank) are computed with the layer rules, not '{Method}'",
            "remove record.method or set it to rules"
        );
        return this;
    }
}
