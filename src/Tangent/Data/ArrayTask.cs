using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Data;

/// <summary>
/// The user's own data (<c>task.kind: arrays</c>): .npy inputs of any shape [n, …] and targets, either float [n, p]
/// (regression) or integer class labels [n] (classification: ±1 with one output for two classes, one-hot
/// otherwise, as for Fashion-MNIST). A seeded draw of train_samples and test_samples rows, and label noise that moves
/// a share of the training labels to another class, recorded exactly as for the built-in tasks.
/// </summary>
public static class ArrayTask
{
    /// <summary>The shape [n, …] of an array from its header; errors name <paramref name="field"/>.</summary>
    public static long[] Shape(string? path, string field)
    {
        ConfigException.Require(
            !string.IsNullOrWhiteSpace(path),
            field,
            "an arrays task needs this .npy file",
            "give the path of the array (relative to the config file)"
        );
        return NpyInputs.ShapeOf(path!, field);
    }

    /// <summary>The class count C = 1 + the largest label over train and test targets [n] (read and checked
    /// integral and ≥ 0).</summary>
    public static int ClassCount(TaskConfig task) =>
        1
        + (int)
            Math.Max(
                Labels(task.TrainTargets!, "task.train_targets").Max(),
                Labels(task.TestTargets!, "task.test_targets").Max()
            );

    /// <summary>Reads the arrays, draws the rows and builds targets and label noise (seed
    /// <paramref name="seed"/>).</summary>
    public static TaskData Create(TaskConfig task, long seed, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var g = Seeds.Generator(seed);
        var xs = NpyInputs.LoadArray(task.TrainInputs!, "task.train_inputs");
        var xq = NpyInputs.LoadArray(task.TestInputs!, "task.test_inputs", xs.shape);
        var ys = NpyInputs.LoadArray(task.TrainTargets!, "task.train_targets");
        var yq = NpyInputs.LoadArray(task.TestTargets!, "task.test_targets", ys.shape);
        RequireRows(xs, ys, "task.train_targets", "task.train_inputs");
        RequireRows(xq, yq, "task.test_targets", "task.test_inputs");
        Tensor Draw(long rows, int count, string field)
        {
            ConfigException.Require(
                count <= rows,
                field,
                $"asks for {count} rows, the arrays have {rows}",
                $"use at most {rows}"
            );
            return randperm(rows, generator: g)[TensorIndex.Slice(0, count)];
        }
        var pickS = Draw(xs.shape[0], task.TrainSamples, "task.train_samples");
        var pickQ = Draw(xq.shape[0], task.TestSamples, "task.test_samples");
        xs = xs.index_select(0, pickS);
        xq = xq.index_select(0, pickQ);
        ys = ys.index_select(0, pickS);
        yq = yq.index_select(0, pickQ);
        TaskData data;
        if (ys.dim() == 2)
            data = new TaskData(
                xs.to_type(dtype),
                ys.to_type(dtype),
                ys.to_type(dtype).clone(),
                xq.to_type(dtype),
                yq.to_type(dtype)
            );
        else
        {
            int k = ClassCount(task);
            var cs = ys.to_type(ScalarType.Int64);
            var flip = rand(new long[] { cs.shape[0] }, dtype: ScalarType.Float64, generator: g).lt(task.LabelNoise);
            var shift = randint(1, Math.Max(k, 2), new long[] { cs.shape[0] }, generator: g); // another class
            var noisy = where(flip, (cs + shift).remainder(k), cs);
            Tensor Targets(Tensor classes) =>
                k == 2
                    ? where(classes.eq(0), 1.0, -1.0).to_type(dtype).unsqueeze(1)
                    : nn.functional.one_hot(classes, k).to_type(dtype);
            data = new TaskData(
                xs.to_type(dtype),
                Targets(noisy),
                Targets(cs),
                xq.to_type(dtype),
                Targets(yq.to_type(ScalarType.Int64))
            );
        }
        return data;
    }

    private static void RequireRows(Tensor x, Tensor y, string field, string inputs) =>
        ConfigException.Require(
            x.shape[0] == y.shape[0] && y.dim() is 1 or 2,
            field,
            $"has shape ({string.Join(", ", y.shape)}) for {x.shape[0]} rows of {inputs}",
            "give one target row [n, p] or one class label [n] per input row"
        );

    private static double[] Labels(string path, string field)
    {
        var shape = Shape(path, field);
        if (shape.Length != 1)
            return [0];
        var labels = Npy.Read(path).Data;
        int bad = Array.FindIndex(labels, v => v < 0 || v != Math.Floor(v) || !double.IsFinite(v));
        ConfigException.Require(
            bad < 0,
            field,
            $"'{path}' holds {(bad < 0 ? 0 : labels[bad])} at {bad}, not a class label",
            "labels are integers 0, 1, …, C − 1"
        );
        return labels;
    }
}
