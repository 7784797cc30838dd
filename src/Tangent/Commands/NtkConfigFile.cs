using ScottPlot;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Theory;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Commands;

/// <summary>The config file of <c>tangent ntk</c>: the model and the seed of its initialization.</summary>
public sealed record NtkConfigFile
{
    /// <summary>The network.</summary>
    public MlpConfig Model { get; init; } = new();

    /// <summary>Seed of the initialization (ignored for parameters loaded with --params).</summary>
    public long Seed { get; init; }

    /// <summary>Reads and validates a config file; errors name the field.</summary>
    public static NtkConfigFile Load(string path)
    {
        var config = Json.LoadConfig<NtkConfigFile>(path, "docs/examples/mlp.json");
        config.Model.Validate();
        Seeds.Check(config.Seed, "seed");
        return config;
    }
}
