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
        if (config.Model.Path is { } file)
        {
            // A model file is read relative to the config that names it, and recorded with its full path.
            string dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
            config = config with { Model = config.Model with { Path = System.IO.Path.GetFullPath(file, dir) } };
        }
        Seeds.Check(config.Seed, "seed");
        return config;
    }
}
