using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Store;

/// <summary>
/// Model parameters as NumPy files, one per state-dict key (<c>DIR/layers.0.weight.npy</c>), so weights trained in
/// PyTorch or JAX can be analysed here and Tangent's can be loaded there.
/// </summary>
public static class ParameterFiles
{
    /// <summary>
    /// Copies saved weights into every state-dict entry of <paramref name="model"/>, from <paramref name="path"/>:
    /// a directory of <c>&lt;key&gt;.npy</c> files, a PyTorch state dict saved with
    /// <c>torch.save(model.state_dict(), path)</c>, or a <c>.safetensors</c> file; keys as PyTorch names them. A
    /// missing, extra or mis-shaped key is a one-line <see cref="ConfigException"/> on <c>--params</c> naming the key
    /// (and both shapes); nothing is changed unless every entry is valid.
    /// </summary>
    public static void Load(nn.Module model, string path, string field = "--params")
    {
        ConfigException.Require(
            Directory.Exists(path) || File.Exists(path),
            field,
            $"'{path}' does not exist",
            "pass a directory of <key>.npy files, a torch.save state dict or a .safetensors file"
        );
        var state = model.state_dict();
        using var scope = NewDisposeScope();
        var loaded = Directory.Exists(path) ? ReadDirectory(path, state.Keys, field) : ReadFile(path, field);
        string Names(IEnumerable<string> keys) => string.Join(", ", keys.Take(8)) + (keys.Count() > 8 ? ", …" : "");
        foreach (var (key, tensor) in state)
        {
            ConfigException.Require(
                loaded.ContainsKey(key),
                field,
                $"'{path}' has no entry for '{key}' (it has: {Names(loaded.Keys)})",
                "save the state dict of the same architecture (keys as PyTorch names them)"
            );
            var source = loaded[key];
            ConfigException.Require(
                source.shape.SequenceEqual(tensor.shape),
                field,
                $"'{key}' has shape ({string.Join(", ", source.shape)}) in '{path}', the model expects "
                    + $"({string.Join(", ", tensor.shape)})",
                "check the model's config against the saved weights"
            );
            ConfigException.Require(
                source.is_floating_point() == tensor.is_floating_point()
                    && (!source.is_floating_point() || source.isfinite().all().item<bool>()),
                field,
                $"'{key}' in '{path}' is {(source.is_floating_point() ? "not finite everywhere" : source.dtype)}",
                "save finite floating-point weights"
            );
        }
        var extra = loaded.Keys.Where(k => !state.ContainsKey(k)).ToList();
        ConfigException.Require(
            extra.Count == 0,
            field,
            $"'{path}' has {extra.Count} key(s) the model does not: {Names(extra)} (model keys: {Names(state.Keys)})",
            "save the state dict of the same architecture"
        );
        using var _ = no_grad();
        foreach (var (key, tensor) in state)
            tensor.copy_(loaded[key].to_type(tensor.dtype));
    }

    private static Dictionary<string, Tensor> ReadDirectory(string directory, IEnumerable<string> keys, string field)
    {
        var loaded = new Dictionary<string, Tensor>();
        foreach (var key in keys)
        {
            string file = Path.Combine(directory, key + ".npy");
            ConfigException.Require(
                File.Exists(file),
                field,
                $"no file for parameter '{key}' ({file})",
                $"save it with numpy.save('{key}.npy', ...) or list the expected keys with 'tangent ntk --help'"
            );
            NpyArray array;
            try
            {
                array = Npy.Read(file);
            }
            catch (InvalidDataException e)
            {
                throw new ConfigException(field, e.Message, "save the array with numpy.save");
            }
            NpyInputs.RequireFinite(array, file, field);
            loaded[key] = torch.tensor(array.Data, array.Shape, dtype: ScalarType.Float64);
        }
        return loaded;
    }

    private static Dictionary<string, Tensor> ReadFile(string file, string field)
    {
        try
        {
            if (file.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                return TorchSharp.PyBridge.Safetensors.LoadStateDict(file);
            using var stream = File.OpenRead(file);
            var table = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(stream);
            var loaded = new Dictionary<string, Tensor>();
            foreach (System.Collections.DictionaryEntry entry in table)
                loaded[(string)entry.Key] =
                    entry.Value as Tensor ?? throw new InvalidDataException($"entry '{entry.Key}' is not a tensor");
            return loaded;
        }
        catch (Exception e) when (e is not ConfigException and not OperationCanceledException)
        {
            throw new ConfigException(
                field,
                $"'{file}' is not a readable state dict ({e.Message.Split('\n')[0].Trim()})",
                "save it with torch.save(model.state_dict(), path) or safetensors, or pass a directory of .npy files"
            );
        }
    }

    /// <summary>Writes every state-dict entry as <c>DIR/&lt;key&gt;.npy</c>.</summary>
    public static void Save(nn.Module model, string directory)
    {
        foreach (var (key, tensor) in model.state_dict())
            Npy.Write(Path.Combine(directory, key + ".npy"), tensor);
    }
}
