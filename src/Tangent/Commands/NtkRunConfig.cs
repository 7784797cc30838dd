using ScottPlot;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Theory;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Commands;

/// <summary>Everything <c>tangent ntk</c> was asked to do, as recorded in run.json.</summary>
public sealed record NtkRunConfig
{
    /// <summary>The model and seed.</summary>
    public required NtkConfigFile Config { get; init; }

    /// <summary>Directory of .npy parameters, or null for the seeded initialization.</summary>
    public string? Params { get; init; }

    /// <summary>Training inputs X_S (.npy, [n, d]).</summary>
    public required string Inputs { get; init; }

    /// <summary>Query inputs X_Q (.npy, [m, d]), optional.</summary>
    public string? Query { get; init; }

    /// <summary>Method.</summary>
    public NtkMethod Method { get; init; } = NtkMethod.LayerwiseRules;

    /// <summary>Output-traced kernel.</summary>
    public bool Traced { get; init; }

    /// <summary>float32 or float64.</summary>
    public string Dtype { get; init; } = "float64";

    /// <summary>Parameter subset (state-dict names or prefixes ending in '.'), or null for all.</summary>
    public IReadOnlyList<string>? Parameters { get; init; }

    /// <summary>
    /// The largest objects for <paramref name="n"/> inputs and <paramref name="m"/> query inputs, with w = p outputs (1
    /// when traced): K_SS (nw)² three times (the kernel, its float64 copy, the eigensolver's workspace), K_QS
    /// (mw)(nw), and for the Jacobian method two blocks of Jacobian rows (at most (n + m)·p·P); 8 bytes a number.
    /// </summary>
    public IReadOnlyList<MemoryItem> MemoryEstimate(long n, long m)
    {
        double p = Config.Model.Widths[^1],
            w = Traced ? 1 : p;
        var items = new List<MemoryItem>
        {
            new($"K_SS ({n * w:0} × {n * w:0}) with its copies", 8 * 3 * (n * w) * (n * w), "--inputs"),
            new($"K_QS ({m * w:0} × {n * w:0})", 8 * (m * w) * (n * w), "--query"),
        };
        // The Jacobian method holds blocks of NtkOptions.BlockElements numbers (two at a time), never the whole
        // Jacobian.
        if (Method == NtkMethod.JacobianContraction)
        {
            double whole = (n + m) * p * Config.Model.ParameterCount();
            items.Add(new("Jacobian blocks", 8 * Math.Min(whole, 2.0 * new NtkOptions().BlockElements), "--method"));
        }
        return items;
    }
}
