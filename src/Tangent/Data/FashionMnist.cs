using static TorchSharp.torch;

namespace Tangent.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017) or any MNIST-format directory: the four IDX files
/// <c>{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]</c>. Images are returned as [N, 784] float64 in [0, 1].
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs it.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Pixels per image (28 × 28).</summary>
    public const int Pixels = 784;

    /// <summary>The ten class names, by label.</summary>
    public static readonly IReadOnlyList<string> Classes =
    [
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ];

    /// <summary>Whether <paramref name="directory"/> holds the four files.</summary>
    public static bool Available(string directory) =>
        new[]
        {
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
        }.All(f => Find(directory, f) is not null);

    /// <summary>
    /// The first <paramref name="count"/> examples (all when null) of the <c>train</c> or <c>t10k</c> split: images [N,
    /// 784] in [0, 1] and labels [N] (int64). A missing directory or file is one <see cref="ConfigException"/> line
    /// saying how to get the data.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Load(
        string directory,
        string split,
        int? count = null,
        string field = "--data"
    )
    {
        string? images = Find(directory, $"{split}-images-idx3-ubyte"),
            labels = Find(directory, $"{split}-labels-idx1-ubyte");
        ConfigException.Require(
            images is not null && labels is not null,
            field,
            $"no Fashion-MNIST {split} files in '{directory}'",
            "install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) or "
                + (field == "--data" ? "pass --data DIR" : $"set {field} to a directory")
                + " holding the four IDX files"
        );
        IdxArray x,
            y;
        try
        {
            (x, y) = (Idx.Read(images!), Idx.Read(labels!));
        }
        catch (InvalidDataException e)
        {
            throw new ConfigException(field, e.Message, "replace the file with an intact copy");
        }
        ConfigException.Require(
            x.Shape.Length == 3 && x.Shape[1] == 28 && x.Shape[2] == 28,
            field,
            $"{images} holds images of shape {string.Join("×", x.Shape)}, expected N×28×28",
            "pass MNIST-format 28×28 images"
        );
        ConfigException.Require(
            y.Shape.Length == 1 && x.Shape[0] == y.Shape[0],
            field,
            $"{split} images {string.Join("×", x.Shape)} and labels {string.Join("×", y.Shape)} do not match",
            "pass one label per image"
        );
        ConfigException.Require(x.Shape[0] > 0, field, $"{images} holds no images", "pass a non-empty split");
        int badLabel = Array.FindIndex(y.Data, v => v > 9);
        ConfigException.Require(
            badLabel < 0,
            field,
            $"{labels} holds label {(badLabel < 0 ? 0 : y.Data[badLabel])} at {badLabel}",
            "labels must be classes 0 to 9"
        );
        int n = Math.Min(count ?? x.Shape[0], x.Shape[0]);
        int pixels = x.Shape[1] * x.Shape[2];
        var data = new double[(long)n * pixels];
        for (long i = 0; i < data.LongLength; i++)
            data[i] = x.Data[i] / 255.0;
        return (tensor(data, new long[] { n, pixels }), tensor(y.Data.Take(n).Select(v => (long)v).ToArray()));
    }

    private static string? Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            string path = Path.Combine(directory, candidate);
            if (File.Exists(path))
                return path;
        }
        return null;
    }
}
