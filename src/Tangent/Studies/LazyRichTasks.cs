using Tangent.Data;
using Tangent.Models;
using Tangent.Runs;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>
/// The lazy-vs-rich study's tasks: the teacher–student task on the sphere of radius √d (a sum of ReLU neurons of
/// random directions), and optionally a binary Fashion-MNIST task; each centered on the initial model of its arm.
/// </summary>
public sealed class LazyRichTasks : IDisposable
{
    /// <summary>One task the α sweep runs on, with its inputs and targets.</summary>
    /// <param name="Index">0: teacher–student, 1: Fashion-MNIST (the csv's task column).</param>
    /// <param name="Prefix">Sub-directory prefix of its arms.</param>
    /// <param name="Suffix">Suffix of its verdicts and figure.</param>
    /// <param name="Label">Its name in verdicts and the report.</param>
    /// <param name="Detail">What the figure title adds.</param>
    /// <param name="Describe">What run.json records for α.</param>
    /// <param name="Student">The student at α.</param>
    /// <param name="Xs">Training inputs.</param>
    /// <param name="Ys">Training targets (uncentered).</param>
    /// <param name="Xq">Test inputs.</param>
    /// <param name="Yq">Test targets (uncentered).</param>
    public sealed record Sweep(
        int Index,
        string Prefix,
        string Suffix,
        string Label,
        string Detail,
        Func<double, string> Describe,
        Func<double, MlpConfig> Student,
        Tensor Xs,
        Tensor Ys,
        Tensor Xq,
        Tensor Yq
    )
    {
        /// <summary>The task record of the arm at α: provided (its arrays are written with the run).</summary>
        public TaskConfig Task(double alpha) =>
            new()
            {
                Kind = "provided",
                Description = Describe(alpha),
                TrainSamples = (int)Xs.shape[0],
                TestSamples = (int)Xq.shape[0],
                Dimension = (int)Xs.shape[1],
                Outputs = 1,
            };

        /// <summary>Centering: training αf on Y + αf(w₀) is training α(f − f₀) on Y.</summary>
        public TaskData Centered(nn.Module<Tensor, Tensor> initial)
        {
            using var _ = no_grad();
            var f0s = initial.call(Xs);
            var f0q = initial.call(Xq);
            return new TaskData(Xs.clone(), Ys + f0s, Ys + f0s, Xq.clone(), Yq + f0q);
        }

        /// <summary>The sign error of the centered network α(f(w_T) − f(w₀)) on the test set.</summary>
        public double TestError(Arm arm, RunResult result)
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            using var initial = arm.Spec.BuildModel();
            var centered = result.Model.call(Xq) - initial.call(Xq);
            return centered.sign().ne(Yq.sign()).to_type(ScalarType.Float64).mean().item<double>();
        }
    }

    /// <summary>The sweeps: the teacher task, then Fashion-MNIST when the config asks for it.</summary>
    public IReadOnlyList<Sweep> Sweeps { get; }

    private readonly List<IDisposable> _owned = [];

    /// <summary>Draws the teacher task (seeded by the config's seed) and loads Fashion-MNIST.</summary>
    public LazyRichTasks(LazyRichConfig c)
    {
        ConfigException.Require(
            c.Alphas.Count >= 2 && c.Alphas.All(a => a > 0),
            "alphas",
            "need at least two positive scales",
            "use e.g. [0.1, 1, 10, 100]"
        );
        using var g = Seeds.Generator(c.Seed);
        Tensor Sphere(int n)
        {
            var z = randn(new long[] { n, c.Dimension }, dtype: ScalarType.Float64, generator: g);
            return Own(z / z.norm(1, keepdim: true) * Math.Sqrt(c.Dimension));
        }
        var xs = Sphere(c.TrainSamples);
        var xq = Sphere(c.TestSamples);
        using var teacher = randn(
            new long[] { c.Dimension, c.TeacherNeurons },
            dtype: ScalarType.Float64,
            generator: g
        );
        Tensor Teach(Tensor x) => Own((x.matmul(teacher) / Math.Sqrt(c.Dimension)).clamp_min(0).sum(1, keepdim: true));
        var sweeps = new List<Sweep>
        {
            new(
                0,
                "",
                "",
                "teacher–student",
                "",
                a => $"teacher–student on the sphere (d = {c.Dimension}), targets shifted by αf(w₀, x), α = {a}",
                a => c.Student(c.Dimension, a),
                xs,
                Teach(xs),
                xq,
                Teach(xq)
            ),
        };
        if (c.FashionMnist)
        {
            var task = new TaskConfig
            {
                Kind = "fashion-mnist",
                Data = c.Data,
                Classes = c.FashionClasses,
                TrainSamples = c.TrainSamples,
                TestSamples = c.TestSamples,
                Pool = c.FashionPool,
                Images = c.FashionStudent?.Type == "cnn",
            };
            var data = task.Create(c.Seed);
            _owned.Add(data);
            string[] names = [.. c.FashionClasses.Select(k => FashionMnist.Classes[k])];
            sweeps.Add(
                new(
                    1,
                    "fashion-mnist-",
                    "_fashion_mnist",
                    "Fashion-MNIST",
                    $" ({names[0]} vs {names[1]})",
                    a => $"binary Fashion-MNIST, ±1 targets shifted by αf(w₀, x), α = {a}",
                    a => c.FashionStudent is { } m ? m with { OutputScale = a } : c.Student(task.InputDimension, a),
                    data.TrainX,
                    data.TrainY,
                    data.TestX,
                    data.TestY
                )
            );
        }
        Sweeps = sweeps;
    }

    private Tensor Own(Tensor t)
    {
        t.DetachFromDisposeScope();
        _owned.Add(t);
        return t;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var o in _owned)
            o.Dispose();
    }
}
