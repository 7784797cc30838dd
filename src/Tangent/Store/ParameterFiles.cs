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
    /// Copies <c>DIR/&lt;key&gt;.npy</c> into every state-dict entry of <paramref name="model"/>. Fails, naming the
    /// key, when a file is missing or its shape differs; nothing is changed unless every file is valid.
    /// </summary>
    public static void Load(nn.Module model, string directory)
    {
        ConfigException.Require(
            Directory.Exists(directory),
            "--params",
            $"directory '{directory}' does not exist",
            "pass the directory holding <state-dict key>.npy files"
        );
        var state = model.state_dict();
        var loaded = new Dictionary<string, NpyArray>();
        foreach (var (key, tensor) in state)
        {
            string file = Path.Combine(directory, key + ".npy");
            ConfigException.Require(
                File.Exists(file),
                "--params",
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
                throw new ConfigException("--params", e.Message, "save the array with numpy.save");
            }
            NpyInputs.RequireFinite(array, file, "--params");
            ConfigException.Require(
                array.Shape.SequenceEqual(tensor.shape),
                "--params",
                $"'{key}.npy' has shape ({string.Join(", ", array.Shape)}), the model expects "
                    + $"({string.Join(", ", tensor.shape)})",
                "check the model widths in the config against the saved weights"
            );
            loaded[key] = array;
        }
        using var _ = no_grad();
        foreach (var (key, tensor) in state)
        {
            using var source = torch.tensor(loaded[key].Data, loaded[key].Shape, dtype: ScalarType.Float64);
            tensor.copy_(source);
        }
    }

    /// <summary>Writes every state-dict entry as <c>DIR/&lt;key&gt;.npy</c>.</summary>
    public static void Save(nn.Module model, string directory)
    {
        foreach (var (key, tensor) in model.state_dict())
            Npy.Write(Path.Combine(directory, key + ".npy"), tensor);
    }
}
