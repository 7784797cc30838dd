using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>
/// A TorchScript module saved from PyTorch (<c>torch.jit.script(model).save(path)</c> or <c>torch.jit.trace</c>), as a
/// <c>Module&lt;Tensor, Tensor&gt;</c> f(w, x) that Tangent trains and differentiates in place: its parameters are the
/// script module's own, under the names PyTorch gave them (<c>conv.weight</c>, <c>0.weight</c> of a Sequential).
/// Loaded in eval mode, so layers that mix samples in training mode (BatchNorm) act per sample, as an eNTK needs.
/// </summary>
public sealed class TorchScriptModel : nn.Module<Tensor, Tensor>
{
    private readonly jit.ScriptModule<Tensor, Tensor> _script;

    private TorchScriptModel(jit.ScriptModule<Tensor, Tensor> script)
        : base("torchscript")
    {
        _script = script;
        register_module("script", script);
    }

    /// <summary>Loads <paramref name="path"/>; <paramref name="field"/> names the config key in errors.</summary>
    public static TorchScriptModel Load(string path, string field, ScalarType dtype = ScalarType.Float64)
    {
        ConfigException.Require(File.Exists(path), field, $"'{path}' does not exist", "pass a TorchScript .pt file");
        jit.ScriptModule<Tensor, Tensor> script;
        try
        {
            script = jit.load<Tensor, Tensor>(path);
        }
        catch (Exception e) when (e is not ConfigException)
        {
            throw new ConfigException(
                field,
                $"'{path}' is not a TorchScript file ({e.Message.Split('\n')[0].Trim()})",
                "save the model with torch.jit.script(model).save(path) (a state_dict goes to --params)"
            );
        }
        script.eval();
        var model = new TorchScriptModel(script);
        model.to(dtype);
        return model;
    }

    /// <summary>The script module's parameters under PyTorch's names (no wrapper prefix).</summary>
    public override IEnumerable<(string name, Parameter parameter)> named_parameters(bool recurse = true) =>
        _script.named_parameters(recurse);

    /// <summary>The script module's state (parameters and buffers) under PyTorch's names.</summary>
    public override Dictionary<string, Tensor> state_dict(
        Dictionary<string, Tensor>? destination = null,
        string? prefix = null
    ) => _script.state_dict(destination, prefix);

    /// <summary>The script module's submodules under PyTorch's names.</summary>
    public override IEnumerable<(string name, nn.Module module)> named_modules() => _script.named_modules();

    /// <summary>The script module's children under PyTorch's names.</summary>
    public override IEnumerable<(string name, nn.Module module)> named_children() => _script.named_children();

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => _script.call(input);
}
