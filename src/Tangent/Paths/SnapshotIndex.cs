using Tangent.Training;

namespace Tangent.Paths;

/// <summary>snapshots/index.json: which snapshots a run holds and how they were taken.</summary>
public sealed record SnapshotIndex
{
    /// <summary>Snapshot steps, increasing.</summary>
    public List<int> Steps { get; init; } = [];

    /// <summary>Learning rate used by the update at each snapshot step.</summary>
    public List<double> LearningRates { get; init; } = [];

    /// <summary>Output-traced kernels.</summary>
    public bool Traced { get; init; }

    /// <summary>Outputs per sample p.</summary>
    public int Outputs { get; init; }

    /// <summary>Training samples n.</summary>
    public int TrainSamples { get; init; }

    /// <summary>Query samples m.</summary>
    public int QuerySamples { get; init; }

    /// <summary>The loss trained on.</summary>
    public LossKind Loss { get; init; }

    /// <summary>Whether minibatches were used (the operators then describe the full-batch flow).</summary>
    public bool Minibatch { get; init; }

    /// <summary>Optimizer family.</summary>
    public OptimizerKind Optimizer { get; init; }

    /// <summary>eNTK method used.</summary>
    public string Method { get; init; } = "rules";

    /// <summary>The optimizer's momentum as the path operators model it (null: none, or a run recorded before
    /// momentum was modelled; its operators are then the momentum-free ones).</summary>
    public MomentumModel? Momentum { get; init; }

    /// <summary>Weight decay of the run's optimizer (its output motion is not modelled by the operators).</summary>
    public double WeightDecay { get; init; }

    /// <summary>Indices of the recorded training subset S′ ⊂ S (null: all of S).</summary>
    public List<long>? TrainIndices { get; init; }

    /// <summary>Indices of the recorded query subset Q′ ⊂ Q (null: all of Q).</summary>
    public List<long>? QueryIndices { get; init; }

    /// <summary>The rank of factored snapshots (<see cref="FactoredSnapshot"/>, recorded by Nyström without forming
    /// K; null: dense snapshots).</summary>
    public int? Rank { get; init; }

    /// <summary>Landmark samples of the Nyström snapshots (null: dense snapshots).</summary>
    public int? Landmarks { get; init; }

    /// <summary>Exact-product refinements of the Nyström snapshots (null: dense snapshots).</summary>
    public int? Refinements { get; init; }

    /// <summary>Path of the index inside a run.</summary>
    public static string PathIn(string run) => Path.Combine(run, "snapshots", "index.json");

    /// <summary>Reads the index of <paramref name="run"/>; a damaged file is a <see cref="ConfigException"/> naming
    /// RUN.</summary>
    public static SnapshotIndex Read(string run)
    {
        string path = PathIn(run);
        try
        {
            return Json.Deserialize<SnapshotIndex>(File.ReadAllText(path));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new ConfigException(
                "RUN",
                $"'{path}' is unreadable: {e.Message.ReplaceLineEndings(" ")}",
                "the run directory is damaged; train it again"
            );
        }
    }

    /// <summary>
    /// The largest objects of a factored analysis of <paramref name="snapshots"/> snapshots of rank
    /// <paramref name="rank"/>: the factors V [N × r] and F [M × r] of every snapshot, the common basis U [N × R]
    /// with R ≤ snapshots·r (a bound: consecutive kernels share directions), and the core operators [R × R] with
    /// one projected kernel at a time; with <paramref name="truncating"/>, also one dense snapshot at a time; with the
    /// run's momentum modelled (unless <paramref name="momentumFree"/>), the maps and Gramians of the state (ĝ, ĥ)
    /// [2R] and the query maps [M × 2R], twice (the spacing table's second core).
    /// </summary>
    public IReadOnlyList<MemoryItem> FactoredAnalysisMemory(
        int snapshots,
        int rank,
        bool truncating,
        bool momentumFree = false
    )
    {
        double width = Traced ? 1 : Outputs;
        double nRows = TrainSamples * width,
            mRows = QuerySamples * width;
        double r = Math.Min(rank, nRows);
        double dimension = Math.Min(nRows, snapshots * r);
        var items = new List<MemoryItem>
        {
            new(
                $"{snapshots} factored snapshots of rank {r:0} and their common basis ({nRows:0} × {dimension:0})",
                8.0 * (snapshots * r * (nRows + mRows) + 2 * nRows * dimension),
                "--rank"
            ),
            new(
                $"factored operators ({dimension:0} × {dimension:0}: the core, its eigen- and singular vectors, "
                    + "a second core for the spacing table)",
                8.0 * (20 * dimension * dimension + 3 * mRows * dimension),
                "--rank"
            ),
        };
        if (Momentum is not null && !momentumFree)
            items.Add(
                new(
                    $"momentum-aware factored operators (state (ĝ, ĥ) of {2 * dimension:0}, query maps "
                        + $"{mRows:0} × {2 * dimension:0})",
                    8.0 * 2 * (10 * dimension * dimension + 3 * mRows * 2 * dimension),
                    "--momentum-free"
                )
            );
        if (truncating)
            items.Add(
                new(
                    $"one dense snapshot ({nRows:0} × {nRows:0}) and its eigenvectors",
                    8.0 * 3 * nRows * nRows,
                    "--window"
                )
            );
        return items;
    }

    /// <summary>
    /// The largest objects of an analysis of <paramref name="snapshots"/> snapshots: each holds K_SS (N × N, N = n or
    /// n·p) and K_QS (M × N) in float64, all loaded at once; the operators, their checks (spectra, four cells, the
    /// spacing table's second integration) and each segment's temporaries peak at about 50 N × N and 9 M × N
    /// matrices more, counted here with a 10 % margin as 55 and 10 (20 snapshots at n = 2,000 with Q = 500 and
    /// 10,000: measured 2.45 and 6.9 GB peak RSS, estimated 2.64 and 7.2 GB; at n = 4,000 with Q = 10,000: 16.6
    /// against 19.2 GB; docs/performance.md); the momentum-aware operators (unless <paramref name="momentumFree"/>)
    /// about twelve of the augmented size 2N + M.
    /// </summary>
    public IReadOnlyList<MemoryItem> AnalysisMemory(int snapshots, bool momentumFree = false)
    {
        double width = Traced ? 1 : Outputs;
        double nRows = TrainSamples * width,
            mRows = QuerySamples * width;
        return
        [
            new(
                $"{snapshots} kernel snapshots ({nRows:0} × {nRows:0} and {mRows:0} × {nRows:0})",
                8.0 * snapshots * nRows * (nRows + mRows),
                "--window"
            ),
            Momentum is null || momentumFree
                ? new(
                    $"path operators and their checks ({nRows:0} × {nRows:0} and {mRows:0} × {nRows:0})",
                    8.0 * 55 * nRows * nRows + 8.0 * 10 * mRows * nRows,
                    "RUN"
                )
                : new(
                    $"momentum-aware path operators (augmented state of {2 * nRows + mRows:0}; --momentum-free "
                        + "needs less)",
                    8.0 * 12 * Math.Pow(2 * nRows + mRows, 2),
                    "--momentum-free"
                ),
        ];
    }
}
