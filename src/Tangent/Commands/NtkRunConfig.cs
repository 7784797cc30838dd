using ScottPlot;
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

/// <summary>Everything <c>tangent ntk</c> was asked to do, as recorded in run.json.</summary>
public sealed record NtkRunConfig
{
    /// <summary>The model and seed.</summary>
    public required NtkConfigFile Config { get; init; }

    /// <summary>Weights (a directory of .npy files, a state dict or a .safetensors file), or null for the seeded
    /// initialization.</summary>
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

    /// <summary>Keep only the top-r eigenpairs, by Nyström from landmarks, with a certificate; null: the dense
    /// kernel.</summary>
    public int? Rank { get; init; }

    /// <summary>Nyström landmark samples (null: min(n, 2r + 50)).</summary>
    public int? Landmarks { get; init; }

    /// <summary>Power iterations of the certificate's probe of ‖K − K̃_r‖₂ (exact K·v products).</summary>
    public int Probes { get; init; } = 4;

    /// <summary>Exact-product refinements of the Nyström pairs
    /// (<see cref="Kernels.LowRank.NystromOptions.Refinements"/>; 0: none).</summary>
    public int Refine { get; init; }

    /// <summary>The model: the configured MLP seeded with the config's seed, or the TorchScript module; then the
    /// --params weights when given.</summary>
    public nn.Module<Tensor, Tensor> BuildModel(ScalarType dtype)
    {
        var model = ModelFactory.Create(Config.Model, Seeds.Generator(Config.Seed), dtype);
        if (Params is not null)
            ParameterFiles.Load(model, Params);
        return model;
    }

    /// <summary>The output count p and parameter count P: from the MLP's widths, or by building the CNN or loading
    /// the TorchScript module and running one input shaped like --inputs through it.</summary>
    public (int Outputs, double Parameters) ModelShape()
    {
        if (!Config.Model.TakesShapedInputs())
            return (Config.Model.Widths[^1], Config.Model.ParameterCount());
        using var model = ModelFactory.Create(Config.Model, Seeds.Generator(Config.Seed));
        var (p, count) = ModelFactory.Probe(model, NpyInputs.ShapeOf(Inputs, "--inputs"), "--inputs");
        return (p, count);
    }

    /// <summary>
    /// The largest objects for <paramref name="n"/> inputs and <paramref name="m"/> query inputs, with w = p outputs (1
    /// when traced) and P parameters: K_SS (nw)² three times (the kernel, its float64 copy, the eigensolver's
    /// workspace), K_QS (mw)(nw), and for the Jacobian method two blocks of Jacobian rows (at most (n + m)·p·P); 8
    /// bytes a number.
    /// </summary>
    public IReadOnlyList<MemoryItem> MemoryEstimate(long n, long m, int outputs, double parameters)
    {
        double p = outputs,
            w = Traced ? 1 : p;
        if (Rank is { } r)
        {
            double landmarks = Math.Min(n, Landmarks ?? (2.0 * r + 50));
            return
            [
                new(
                    $"cross kernel and factor ({n * w:0} × {landmarks * w:0}, twice)",
                    8 * 2 * (n * w) * (landmarks * w),
                    "--landmarks"
                ),
                new($"eigenvectors ({n * w:0} × {r})", 8 * (n * w) * r, "--rank"),
            ];
        }
        var items = new List<MemoryItem>
        {
            new($"K_SS ({n * w:0} × {n * w:0}) with its copies", 8 * 3 * (n * w) * (n * w), "--inputs"),
            new($"K_QS ({m * w:0} × {n * w:0})", 8 * (m * w) * (n * w), "--query"),
        };
        // The Jacobian method holds blocks of NtkOptions.BlockElements numbers (two at a time), never the whole
        // Jacobian.
        if (Method == NtkMethod.JacobianContraction)
        {
            double whole = (n + m) * p * parameters;
            items.Add(new("Jacobian blocks", 8 * Math.Min(whole, 2.0 * new NtkOptions().BlockElements), "--method"));
        }
        return items;
    }
}
