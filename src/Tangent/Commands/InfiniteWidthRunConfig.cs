using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Theory;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Commands;

/// <summary>Settings of <c>tangent kernel</c>, recorded in run.json.</summary>
public sealed record InfiniteWidthRunConfig
{
    /// <summary>The model (its widths give the depth and, for the standard parameterization, the hidden
    /// widths).</summary>
    public required NtkConfigFile Config { get; init; }

    /// <summary>Inputs X (.npy [n, d]).</summary>
    public required string Inputs { get; init; }

    /// <summary>Query inputs Q (.npy [m, d]), optional.</summary>
    public string? Query { get; init; }

    /// <summary>Only the diagonals K(x, x).</summary>
    public bool Diagonal { get; init; }

    /// <summary>Gauss–Hermite degree for activations without a closed form.</summary>
    public int QuadratureDegree { get; init; } = 64;

    /// <summary>Hidden widths of finite networks to compare with the limit (empty: none).</summary>
    public IReadOnlyList<int> FiniteWidths { get; init; } = [];

    /// <summary>Random networks per width.</summary>
    public int Draws { get; init; } = 3;

    /// <summary>Targets Y (.npy [n, p]) to train the finite networks on (optional).</summary>
    public string? Targets { get; init; }

    /// <summary>Gradient-descent steps on ½-MSE for the "after training" comparison.</summary>
    public int TrainSteps { get; init; } = 500;

    /// <summary>Learning rate of that training.</summary>
    public double TrainLr { get; init; } = 0.5;

    /// <summary>
    /// The largest objects for <paramref name="n"/> inputs and <paramref name="m"/> query inputs: NNGP and NTK on n ×
    /// n and m × n (8 bytes a number) with their copies and a block workspace, and for finite widths each network's
    /// traced eNTK n × n with its copies.
    /// </summary>
    public IReadOnlyList<MemoryItem> MemoryEstimate(long n, long m)
    {
        if (Diagonal)
            return [new("diagonals", 8 * 4.0 * (n + m), "--inputs")];
        var items = new List<MemoryItem>
        {
            // NNGP and NTK, the NTK's copy for the finite-width comparison and eigvalsh's copy and workspace.
            new($"NNGP and NTK ({n} × {n}) with their copies", 8 * 5.0 * n * n, "--inputs"),
            new($"NNGP and NTK on queries ({m} × {n})", 8 * 2.0 * m * n, "--query"),
            new("block workspace", 8 * 16.0 * Math.Min(n, 512) * Math.Max(n, m), "--inputs"),
        };
        // The finite networks' eNTK is traced over outputs (n × n), with a copy and the comparison's difference.
        if (FiniteWidths.Count > 0)
            items.Add(new($"finite-width eNTK ({n} × {n}, traced)", 8 * 3.0 * n * n, "--finite-widths"));
        return items;
    }

    /// <summary>Checks the numeric fields.</summary>
    public InfiniteWidthRunConfig Validate()
    {
        ConfigException.Require(
            QuadratureDegree is >= 4 and <= 400,
            "--quadrature-degree",
            $"must be in [4, 400], got {QuadratureDegree}",
            "use e.g. 64"
        );
        ConfigException.Require(
            FiniteWidths.All(w => w >= 1),
            "--finite-widths",
            "widths must be positive",
            "pass e.g. --finite-widths 64 256 1024"
        );
        ConfigException.Require(Draws >= 1, "--draws", $"must be at least 1, got {Draws}", "use e.g. 3");
        ConfigException.Require(
            TrainSteps >= 1,
            "--train-steps",
            $"must be at least 1, got {TrainSteps}",
            "use e.g. 500"
        );
        ConfigException.Require(TrainLr > 0, "--train-lr", $"must be positive, got {TrainLr}", "use e.g. 0.5");
        ConfigException.Require(
            Targets is null || FiniteWidths.Count > 0,
            "--targets",
            "targets are only used to train finite networks",
            "add --finite-widths"
        );
        return this;
    }
}
