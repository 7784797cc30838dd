using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Models;

/// <summary>Builds the network a model config describes: f(w, x) as a <c>Module&lt;Tensor, Tensor&gt;</c>.</summary>
public static class ModelFactory
{
    /// <summary>
    /// The MLP of <paramref name="config"/> initialized from <paramref name="generator"/>, or its TorchScript module
    /// with the parameters saved in the file (the generator is then unused); in <paramref name="dtype"/>.
    /// <paramref name="field"/> is the config key of the model in errors (e.g. <c>model</c>).
    /// </summary>
    public static nn.Module<Tensor, Tensor> Create(
        MlpConfig config,
        Generator generator,
        ScalarType dtype = ScalarType.Float64,
        string field = "model"
    ) =>
        config.Type switch
        {
            "torchscript" => TorchScriptModel.Load(config.Path!, $"{field}.path", dtype),
            "cnn" => new Cnn(config, generator, dtype),
            "transformer" => new Transformer(config, generator, dtype),
            _ => new Mlp(config, generator, dtype),
        };

    /// <summary>
    /// The output count p and parameter count P of <paramref name="model"/> on inputs shaped like
    /// <paramref name="inputShape"/> ([n, …]; one zero input is run through it): a forward that fails or returns
    /// anything but [1, p] is a <see cref="ConfigException"/> naming <paramref name="field"/> and the shape.
    /// </summary>
    public static (int Outputs, long Parameters) Probe(
        nn.Module<Tensor, Tensor> model,
        IReadOnlyList<long> inputShape,
        string field
    )
    {
        using var scope = NewDisposeScope();
        long[] one = [1, .. inputShape.Skip(1)];
        var dtype = model.parameters().FirstOrDefault()?.dtype ?? ScalarType.Float64;
        string shape = $"[{string.Join(", ", inputShape.Select((d, i) => i == 0 ? "n" : d.ToString()))}]";
        Tensor output;
        try
        {
            using var _ = no_grad();
            output = model.call(zeros(one, dtype: dtype));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new ConfigException(
                field,
                $"the model's forward fails on inputs of shape {shape} ({e.Message.Split('\n')[0].Trim()})",
                "pass inputs of the shape the model's forward takes"
            );
        }
        ConfigException.Require(
            output.dim() == 2 && output.shape[0] == 1,
            field,
            $"the model maps inputs of shape {shape} to outputs of shape "
                + $"[{string.Join(", ", output.shape.Select((d, i) => i == 0 ? "n" : d.ToString()))}], not [n, p]",
            "return one row of p outputs per input (e.g. flatten or index the last position in forward)"
        );
        return ((int)output.shape[1], model.parameters().Sum(p => p.numel()));
    }
}
