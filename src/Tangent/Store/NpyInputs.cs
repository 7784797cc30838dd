using static TorchSharp.torch;

namespace Tangent.Store;

/// <summary>Reads user-supplied .npy matrices (inputs, targets) with errors that name the option.</summary>
public static class NpyInputs
{
    /// <summary>
    /// The [rows, columns] float64 matrix in <paramref name="path"/>; a missing file, an unreadable file or a wrong shape is a
    /// <see cref="ConfigException"/> naming <paramref name="field"/>.
    /// </summary>
    public static Tensor LoadMatrix(string path, string field, int columns, long? rows = null)
    {
        ConfigException.Require(File.Exists(path), field, $"file '{path}' does not exist", "pass a .npy file");
        NpyArray array;
        try { array = Npy.Read(path); }
        catch (InvalidDataException e) { throw new ConfigException(field, e.Message, "save the array with numpy.save"); }
        ConfigException.Require(array.Shape.Length == 2 && array.Shape[1] == columns && (rows is null || array.Shape[0] == rows), field,
            $"'{path}' has shape ({string.Join(", ", array.Shape)}), expected [{(rows is null ? "n" : rows.ToString())}, {columns}]",
            $"pass an array of shape [{(rows is null ? "n" : rows.ToString())}, {columns}]");
        return tensor(array.Data, array.Shape, dtype: ScalarType.Float64);
    }
}
