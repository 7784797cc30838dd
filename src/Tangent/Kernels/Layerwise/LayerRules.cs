using TorchSharp;
using TorchSharp.Modules;

namespace Tangent.Kernels.Layerwise;

/// <summary>
/// The explicit table from layer type to rule, looked up by exact type (a subclass may change the forward pass, so it
/// does not inherit its parent's rule). Adding a layer type means adding a rule class and a row here.
/// </summary>
internal static class LayerRules
{
    private static readonly IReadOnlyDictionary<Type, ILayerRule> Table = new Dictionary<Type, ILayerRule>
    {
        [typeof(Linear)] = new LinearRule(),
        [typeof(Tangent.Models.ScaledLinear)] = new LinearRule(),
        [typeof(Conv1d)] = new ConvolutionRule(),
        [typeof(Conv2d)] = new ConvolutionRule(),
        [typeof(Embedding)] = new EmbeddingRule(),
        [typeof(LayerNorm)] = new LayerNormRule(),
    };

    /// <summary>Layer types with a rule.</summary>
    public static IEnumerable<Type> Types => Table.Keys;

    /// <summary>The rule for <paramref name="module"/>, or null with the reason.</summary>
    public static ILayerRule? Find(torch.nn.Module module, out string reason)
    {
        if (!Table.TryGetValue(module.GetType(), out var rule))
        {
            reason =
                $"no rule for type {module.GetType().Name}; rules exist for "
                + $"{string.Join(", ", Table.Keys.Select(t => t.Name))}";
            return null;
        }
        string? why = rule.Unsupported(module);
        reason = why ?? "";
        return why is null ? rule : null;
    }
}
