using static TorchSharp.torch;

namespace Tangent.Store;

/// <summary>Reads user-supplied .npy matrices (inputs, targets) with errors that name the option.</summary>
public static class NpyInputs
{
    /// <summary>
    /// The [rows, columns] float64 matrix in <paramref name="path"/>; a missing file, an unreadable file or a wrong
    /// shape is a <see cref="ConfigException"/> naming <paramref name="field"/>.
    /// </summary>
    public static Tensor LoadMatrix(string path, string field, int columns, long? rows = null)
    {
        var array = Check(path, field, columns, rows);
        return tensor(array.Data, array.Shape, dtype: ScalarType.Float64);
    }

    /// <summary>
    /// The row count of the [rows, <paramref name="columns"/>] matrix in <paramref name="path"/>, from its header alone
    /// (for a size check before the data is read); a missing file, a bad header or a wrong shape names
    /// <paramref name="field"/>.
    /// </summary>
    public static long Rows(string path, string field, int columns)
    {
        long[] shape = ShapeOf(path, field);
        ConfigException.Require(
            shape.Length == 2 && shape[1] == columns,
            field,
            $"'{path}' has shape ({string.Join(", ", shape)}), expected [n, {columns}]",
            $"pass an array of shape [n, {columns}]"
        );
        return shape[0];
    }

    /// <summary>
    /// Reads and checks the matrix in <paramref name="path"/> as <see cref="LoadMatrix"/> does (shape, at least one
    /// row, every value finite), so a command can refuse bad input before it creates its run directory; returns the
    /// array.
    /// </summary>
    public static NpyArray Check(string path, string field, int columns, long? rows = null)
    {
        ConfigException.Require(!Directory.Exists(path), field, $"'{path}' is a directory", "pass a .npy file");
        ConfigException.Require(File.Exists(path), field, $"file '{path}' does not exist", "pass a .npy file");
        NpyArray array;
        try
        {
            array = Npy.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException(field, e.Message, "save the array with numpy.save");
        }
        ConfigException.Require(
            array.Shape.Length == 2 && array.Shape[1] == columns && (rows is null || array.Shape[0] == rows),
            field,
            $"'{path}' has shape ({string.Join(", ", array.Shape)}), expected "
                + $"[{(rows is null ? "n" : rows.ToString())}, {columns}]",
            $"pass an array of shape [{(rows is null ? "n" : rows.ToString())}, {columns}]"
        );
        ConfigException.Require(
            array.Shape[0] > 0,
            field,
            $"'{path}' has no rows (shape ({string.Join(", ", array.Shape)}))",
            "pass at least one row"
        );
        RequireFinite(array, path, field);
        return array;
    }

    /// <summary>
    /// The shape [n, …] of the array in <paramref name="path"/>, from its header alone: inputs of any shape a model's
    /// forward takes (images [n, C, H, W], token sequences [n, T]). A missing file, a bad header, a scalar or an empty
    /// array names <paramref name="field"/>.
    /// </summary>
    public static long[] ShapeOf(string path, string field)
    {
        ConfigException.Require(!Directory.Exists(path), field, $"'{path}' is a directory", "pass a .npy file");
        ConfigException.Require(File.Exists(path), field, $"file '{path}' does not exist", "pass a .npy file");
        long[] shape;
        try
        {
            shape = Npy.ReadShape(path);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException(field, e.Message, "save the array with numpy.save");
        }
        ConfigException.Require(
            shape.Length >= 1,
            field,
            $"'{path}' holds a scalar, expected an array [n, …]",
            "pass one row per example"
        );
        ConfigException.Require(
            shape[0] > 0,
            field,
            $"'{path}' has no rows (shape ({string.Join(", ", shape)}))",
            "pass at least one row"
        );
        return shape;
    }

    /// <summary>
    /// The float64 array [n, …] in <paramref name="path"/>, every value finite; when <paramref name="like"/> is given
    /// its trailing dimensions must match (a query set shaped like the training inputs).
    /// </summary>
    public static Tensor LoadArray(string path, string field, IReadOnlyList<long>? like = null)
    {
        long[] shape = ShapeOf(path, field);
        if (like is not null)
            ConfigException.Require(
                shape.Skip(1).SequenceEqual(like.Skip(1)),
                field,
                $"'{path}' has shape ({string.Join(", ", shape)}), expected [m, {string.Join(", ", like.Skip(1))}] "
                    + "like the training inputs",
                "pass query inputs of the training inputs' shape"
            );
        NpyArray array;
        try
        {
            array = Npy.Read(path);
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException(field, e.Message, "save the array with numpy.save");
        }
        RequireFinite(array, path, field);
        return tensor(array.Data, array.Shape, dtype: ScalarType.Float64);
    }

    /// <summary>Throws a <see cref="ConfigException"/> naming the first NaN or infinite element of
    /// <paramref name="array"/>.</summary>
    public static void RequireFinite(NpyArray array, string path, string field)
    {
        int bad = Array.FindIndex(array.Data, v => !double.IsFinite(v));
        if (bad < 0)
            return;
        long columns = array.Shape.Length > 1 ? array.Shape[^1] : 1;
        string where = array.Shape.Length > 1 ? $"row {bad / columns}, column {bad % columns}" : $"element {bad}";
        int count = array.Data.Count(v => !double.IsFinite(v));
        throw new ConfigException(
            field,
            $"'{path}' holds {count} non-finite value(s) (first: {array.Data[bad]} at {where})",
            "remove or impute them before passing the array"
        );
    }
}
