using Tangent.Kernels.Layerwise;
using static TorchSharp.torch;

namespace Tangent.Kernels;

/// <summary>One selected parameter: its state-dict name, the tensor, and its offset in the flattened
/// selection.</summary>
internal sealed record SelectedParameter(string Name, string LocalName, Tensor Tensor, long Offset)
{
    public long Size => Tensor.numel();
}

/// <summary>A module that directly owns selected parameters, with the rule that handles it (null: fallback).</summary>
internal sealed record LayerPlan(
    string Name,
    nn.Module Module,
    ILayerRule? Rule,
    IReadOnlyList<SelectedParameter> Parameters
)
{
    public SelectedParameter? Get(string localName) => Parameters.FirstOrDefault(p => p.LocalName == localName);
}

/// <summary>
/// Which parameters a kernel covers and how each owning module is handled. Parameters are flattened in the model's
/// <c>named_parameters()</c> order; that order defines the layout of a preconditioner.
/// </summary>
internal sealed class ModelPlan
{
    private ModelPlan(IReadOnlyList<SelectedParameter> parameters, IReadOnlyList<LayerPlan> layers)
    {
        Parameters = parameters;
        Layers = layers;
        Count = parameters.Sum(p => p.Size);
    }

    public IReadOnlyList<SelectedParameter> Parameters { get; }
    public IReadOnlyList<LayerPlan> Layers { get; }
    public long Count { get; }

    public static ModelPlan Build(nn.Module model, IReadOnlyList<string>? names, bool useRules, MissingRule missing)
    {
        var all = model.named_parameters().ToList();
        var chosen = new List<SelectedParameter>();
        long offset = 0;
        foreach (var (name, p) in all)
        {
            if (!p.requires_grad || !Selected(name, names))
                continue;
            chosen.Add(new SelectedParameter(name, name[(name.LastIndexOf('.') + 1)..], p, offset));
            offset += p.numel();
        }
        if (names is not null)
            foreach (var n in names.Where(n => !n.EndsWith('.') && chosen.All(c => c.Name != n)))
                throw new ArgumentException(
                    $"parameter '{n}' is not a trainable parameter of the model; names: "
                        + $"{string.Join(", ", all.Select(a => a.name))}"
                );
        if (chosen.Count == 0)
            throw new ArgumentException("no trainable parameter is selected");

        // Owning modules: the root plus every named submodule. A parameter belongs to the module its state-dict name
        // points at (everything before its last '.'): ScriptModule.named_parameters(recurse: false) returns the
        // parameters of every descendant, so asking each module for its own would count a TorchScript parameter once
        // per enclosing level.
        var owners = new List<(string Prefix, nn.Module Module)> { ("", model) };
        owners.AddRange(model.named_modules().Where(m => m.name != "").Select(m => (m.name + ".", m.module)));
        static string OwnerPrefix(string name) => name.Contains('.') ? name[..(name.LastIndexOf('.') + 1)] : "";
        var layers = new List<LayerPlan>();
        foreach (var (prefix, module) in owners)
        {
            var mine = chosen.Where(c => OwnerPrefix(c.Name) == prefix).ToList();
            if (mine.Count == 0)
                continue;
            ILayerRule? rule = null;
            if (useRules)
            {
                rule = LayerRules.Find(module, out string reason);
                if (rule is null && missing == MissingRule.Throw)
                    throw new NotSupportedException(
                        $"layer '{prefix.TrimEnd('.')}' ({module.GetType().Name}) has no LayerwiseRules rule "
                            + $"({reason}); "
                            + "use MissingRule.Fallback or the JacobianContraction method"
                    );
            }
            layers.Add(new LayerPlan(prefix.TrimEnd('.'), module, rule, mine));
        }
        var orphan = chosen.FirstOrDefault(c => layers.All(l => !l.Parameters.Contains(c)));
        if (orphan is not null)
            throw new NotSupportedException(
                $"parameter '{orphan.Name}' has no owning module in named_modules(); the layer plan cannot place it"
            );
        return new ModelPlan(chosen, layers);
    }

    /// <summary>The slice of a preconditioner (over the selection) that belongs to <paramref name="parameters"/>,
    /// concatenated.</summary>
    public static Tensor? Slice(Tensor? preconditioner, IReadOnlyList<SelectedParameter> parameters)
    {
        if (preconditioner is null)
            return null;
        return cat(parameters.Select(p => preconditioner.narrow(0, p.Offset, p.Size)).ToList(), 0);
    }

    private static bool Selected(string name, IReadOnlyList<string>? names) =>
        names is null || names.Any(n => n.EndsWith('.') ? name.StartsWith(n, StringComparison.Ordinal) : name == n);
}
