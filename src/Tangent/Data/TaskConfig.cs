using System.Text.Json.Serialization;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Data;

/// <summary>
/// A synthetic task with known ground truth and recorded label noise: <c>sine</c> (the demo's 1-D regression),
/// <c>teacher</c> (regression on a random teacher MLP of Gaussian inputs), <c>linear-teacher</c> (y = β·x / √d +
/// noise), <c>teacher-classes</c> (argmax of a random teacher, with a share of labels replaced at random),
/// <c>modular</c> (a ∘ b mod p) and <c>fashion-mnist</c> (real images, read from IDX files).
/// </summary>
public sealed record TaskConfig
{
    /// <summary>sine, teacher, linear-teacher or teacher-classes.</summary>
    public string Kind { get; init; } = "sine";

    /// <summary>Training samples n.</summary>
    public int TrainSamples { get; init; } = 30;

    /// <summary>Test samples m.</summary>
    public int TestSamples { get; init; } = 80;

    /// <summary>Input dimension d (sine: 1).</summary>
    public int Dimension { get; init; } = 1;

    /// <summary>Outputs (regression) or classes (classification).</summary>
    public int Outputs { get; init; } = 1;

    /// <summary>Teacher hidden width.</summary>
    public int TeacherWidth { get; init; } = 32;

    /// <summary>Std of Gaussian label noise (regression).</summary>
    public double NoiseStd { get; init; } = 0.18;

    /// <summary>
    /// fashion-mnist: share of training labels moved to another class, chosen uniformly among the others (two classes:
    /// the sign flips), so exactly this share changes.
    /// </summary>
    public double LabelNoise { get; init; }

    /// <summary>
    /// teacher-classes: share of training labels redrawn from all p classes uniformly, the old one included, so that (1
    /// − 1/p) of this share actually changes (20 % redrawn over 10 classes changes 18 %).
    /// </summary>
    public double LabelResample { get; init; }

    /// <summary>Modulus p of the modular-arithmetic task.</summary>
    public int Modulus { get; init; } = 97;

    /// <summary>Operation a ∘ b mod p: add, sub, mul or div (b ≠ 0).</summary>
    public string Operation { get; init; } = "add";

    /// <summary>Share of all pairs (a, b) used for training (modular task).</summary>
    public double TrainFraction { get; init; } = 0.5;

    /// <summary>Directory of the Fashion-MNIST (or MNIST-format) IDX files (fashion-mnist task).</summary>
    public string Data { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>
    /// Classes kept (fashion-mnist task): two classes give one output with targets +1 (first) and −1 (second); more
    /// give one-hot targets over the kept classes in the listed order; empty keeps all ten.
    /// </summary>
    public IReadOnlyList<int> Classes { get; init; } = [];

    /// <summary>
    /// Groups of labels, each one class (fashion-mnist task, instead of <see cref="Classes"/>): [[0, 1, 2, 3, 4], [5,
    /// 6, 7, 8, 9]] is Dziugaite &amp; Roy's binarization, label &lt; 5 against ≥ 5. Two groups give one output (+1
    /// for the first), more give one-hot targets; empty: <see cref="Classes"/> decides.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>> Groups { get; init; } = [];

    /// <summary>The classes as label groups: <see cref="Groups"/>, else each kept class alone.</summary>
    private int[][] LabelGroups =>
        Groups.Count > 0 ? [.. Groups.Select(g => g.ToArray())]
        : Classes.Count > 0 ? [.. Classes.Select(k => new[] { k })]
        : [.. Enumerable.Range(0, 10).Select(k => new[] { k })];

    /// <summary>Average-pool the 28 × 28 images by this factor (fashion-mnist task; 1: none, 2: 14 × 14 = 196 inputs,
    /// 4: 7 × 7).</summary>
    public int Pool { get; init; } = 1;

    /// <summary>
    /// ZCA whitening of the images with eigenvalue floor ε·(mean eigenvalue) (fashion-mnist task; 0: plain
    /// standardization). Whitened images are far less correlated, so the eNTK is far better conditioned and gradient
    /// descent can fit every label in ∝ n steps.
    /// </summary>
    public double Whiten { get; init; }

    /// <summary><c>modular</c>: inputs as token sequences [a, b, =] (ids a, b &lt; p and = = p; vocabulary p + 1) for
    /// a transformer, instead of two concatenated one-hots.</summary>
    public bool Sequence { get; init; }

    /// <summary>The sequence length T of token inputs [n, T] (modular with <c>sequence</c>: 3; arrays of rank 2:
    /// their second dimension); 0 when the inputs are not token sequences.</summary>
    public int SequenceLength() =>
        Kind switch
        {
            "modular" when Sequence => 3,
            "arrays" when ArrayTask.Shape(TrainInputs, "task.train_inputs") is { Length: 2 } shape => (int)shape[1],
            _ => 0,
        };

    /// <summary><c>fashion-mnist</c>: inputs as images [n, 1, s, s] (s = 28/pool, for a cnn) instead of flat
    /// [n, s²].</summary>
    public bool Images { get; init; }

    /// <summary>Kind <c>arrays</c>: training inputs, a .npy array [n, …] of any shape the model takes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TrainInputs { get; init; }

    /// <summary>Kind <c>arrays</c>: training targets, float [n, p] (regression) or integer labels [n]
    /// (classification).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TrainTargets { get; init; }

    /// <summary>Kind <c>arrays</c>: held-out inputs, shaped like the training inputs.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TestInputs { get; init; }

    /// <summary>Kind <c>arrays</c>: held-out targets, shaped like the training targets.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TestTargets { get; init; }

    /// <summary>d as the model sees it (modular: two one-hot vectors, 2p; arrays: the product of the trailing input
    /// dimensions).</summary>
    public int InputDimension =>
        Kind switch
        {
            "sine" => 1,
            "modular" => 2 * Modulus,
            "fashion-mnist" => FashionMnist.Pixels / (Pool * Pool),
            "arrays" => (int)ArrayTask.Shape(TrainInputs, "task.train_inputs").Skip(1).Aggregate(1L, (a, b) => a * b),
            _ => Dimension,
        };

    /// <summary>p: outputs of the model (modular: p classes; fashion-mnist: 1 for two classes, else the class
    /// count).</summary>
    public int OutputDimension =>
        Kind switch
        {
            "sine" => 1,
            "modular" => Modulus,
            "fashion-mnist" => LabelGroups.Length == 2 ? 1 : LabelGroups.Length,
            "arrays" => ArrayTask.Shape(TrainTargets, "task.train_targets") is { Length: 2 } shape ? (int)shape[1]
            : ArrayTask.ClassCount(this) == 2 ? 1
            : ArrayTask.ClassCount(this),
            _ => Outputs,
        };

    /// <summary>
    /// For kind <c>provided</c>: what the task is. A provided task's arrays come from the code that ran it (a study's
    /// own construction, written to the run's arrays/); the record says so instead of naming a generator it did not
    /// use.
    /// </summary>
    public string Description { get; init; } = "";

    /// <summary>The channel count C of image inputs [n, C, H, W] (Fashion-MNIST with <c>images</c>: 1; arrays of
    /// rank 4: their second dimension); 0 when the inputs are not images.</summary>
    public int InputChannels() =>
        Kind switch
        {
            "fashion-mnist" when Images => 1,
            "arrays" when ArrayTask.Shape(TrainInputs, "task.train_inputs") is { Length: 4 } shape => (int)shape[1],
            _ => 0,
        };

    /// <summary>The config with its array paths (kind <c>arrays</c>) made absolute, read relative to
    /// <paramref name="directory"/> (the config file's).</summary>
    public TaskConfig ResolvePaths(string directory)
    {
        string? Full(string? file) => file is null ? null : System.IO.Path.GetFullPath(file, directory);
        return this with
        {
            TrainInputs = Full(TrainInputs),
            TrainTargets = Full(TrainTargets),
            TestInputs = Full(TestInputs),
            TestTargets = Full(TestTargets),
        };
    }

    /// <summary>Whether targets are classes (one-hot, or ±1 with one output); the metric is then accuracy.</summary>
    public bool IsClassification =>
        Kind is "teacher-classes" or "modular" or "fashion-mnist"
        || (Kind == "arrays" && ArrayTask.Shape(TrainTargets, "task.train_targets").Length == 1);

    /// <summary>Checks every field.</summary>
    public TaskConfig Validate(string path = "task")
    {
        if (Kind == "provided")
        {
            ConfigException.Require(
                Description.Length > 0 && Dimension >= 1 && Outputs >= 1 && TrainSamples >= 1,
                $"{path}.description",
                "a provided task needs a description and its sizes (dimension, outputs, train_samples)",
                "say what the arrays are; provided tasks are made in code, not in config files"
            );
            return this;
        }
        ConfigException.Require(
            Kind
                is "sine"
                    or "teacher"
                    or "linear-teacher"
                    or "teacher-classes"
                    or "modular"
                    or "fashion-mnist"
                    or "arrays",
            $"{path}.kind",
            $"unknown task '{Kind}'",
            "use sine, teacher, linear-teacher, teacher-classes, modular, fashion-mnist or arrays"
        );
        if (Kind == "arrays")
        {
            foreach (
                var (file, key) in new[]
                {
                    (TrainInputs, "train_inputs"),
                    (TrainTargets, "train_targets"),
                    (TestInputs, "test_inputs"),
                    (TestTargets, "test_targets"),
                }
            )
                ArrayTask.Shape(file, $"{path}.{key}");
            ConfigException.Require(
                LabelNoise >= 0 && LabelNoise <= 1 && (LabelNoise == 0 || IsClassification),
                $"{path}.label_noise",
                $"must be in [0, 1], and needs class labels [n] as targets, got {LabelNoise}",
                "use e.g. 0.2 with integer labels"
            );
            ConfigException.Require(
                TrainSamples >= 2 && TestSamples >= 1,
                $"{path}.train_samples",
                $"needs ≥ 2 training and ≥ 1 test rows, got {TrainSamples} and {TestSamples}",
                "set train_samples and test_samples to the rows to draw (at most the arrays' row counts)"
            );
            return this;
        }
        ConfigException.Require(
            !Sequence || Kind == "modular",
            $"{path}.sequence",
            $"gives modular arithmetic as token sequences; {Kind} has none",
            "remove it, or give a transformer 2-D token arrays with task.kind arrays"
        );
        ConfigException.Require(
            !Images || Kind == "fashion-mnist",
            $"{path}.images",
            $"shapes Fashion-MNIST images for a cnn; {Kind} has no images",
            "remove it, or give a cnn 4-D arrays with task.kind arrays"
        );
        ConfigException.Require(
            TrainInputs is null && TrainTargets is null && TestInputs is null && TestTargets is null,
            $"{path}.train_inputs",
            $"array files are for task.kind arrays, not {Kind}",
            "remove them, or set \"kind\": \"arrays\""
        );
        if (Kind == "modular")
        {
            ConfigException.Require(
                Modulus >= 3,
                $"{path}.modulus",
                $"must be at least 3, got {Modulus}",
                "use a prime such as 97"
            );
            ConfigException.Require(
                Operation is "add" or "sub" or "mul" or "div",
                $"{path}.operation",
                $"unknown operation '{Operation}'",
                "use add, sub, mul or div"
            );
            ConfigException.Require(
                Operation != "div" || IsPrime(Modulus),
                $"{path}.modulus",
                $"division needs a prime modulus, got {Modulus}",
                "use a prime such as 97"
            );
            ConfigException.Require(
                TrainFraction > 0 && TrainFraction < 1,
                $"{path}.train_fraction",
                $"must be in (0, 1), got {TrainFraction}",
                "use e.g. 0.5"
            );
            return this;
        }
        if (Kind == "fashion-mnist")
        {
            ConfigException.Require(
                Classes.Count != 1
                    && Classes.All(k => k is >= 0 and <= 9)
                    && Classes.Distinct().Count() == Classes.Count,
                $"{path}.classes",
                $"need two or more distinct classes 0–9, got [{string.Join(", ", Classes)}]",
                "use e.g. [2, 4] (pullover vs coat) or [] for all ten"
            );
            var grouped = Groups.SelectMany(g => g).ToList();
            ConfigException.Require(
                Groups.Count == 0
                    || (
                        Classes.Count == 0
                        && Groups.Count >= 2
                        && Groups.All(g => g.Count >= 1)
                        && grouped.All(k => k is >= 0 and <= 9)
                        && grouped.Distinct().Count() == grouped.Count
                    ),
                $"{path}.groups",
                Classes.Count > 0
                    ? "cannot be combined with task.classes"
                    : "need two or more non-empty groups of distinct labels 0–9, each label in one group",
                Classes.Count > 0 ? "use one of the two" : "use e.g. [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]"
            );
            ConfigException.Require(
                LabelNoise >= 0 && LabelNoise <= 1,
                $"{path}.label_noise",
                $"must be in [0, 1], got {LabelNoise}",
                "use e.g. 0.2"
            );
            ConfigException.Require(
                Whiten >= 0 && double.IsFinite(Whiten),
                $"{path}.whiten",
                $"must be ≥ 0, got {Whiten}",
                "use 0 (none) or e.g. 0.1"
            );
            ConfigException.Require(
                Pool is 1 or 2 or 4 or 7,
                $"{path}.pool",
                $"must divide 28, got {Pool}",
                "use 1 (none), 2, 4 or 7"
            );
        }
        ConfigException.Require(
            TrainSamples >= 2,
            $"{path}.train_samples",
            $"must be at least 2, got {TrainSamples}",
            "use e.g. 200"
        );
        ConfigException.Require(
            TestSamples >= 1,
            $"{path}.test_samples",
            $"must be at least 1, got {TestSamples}",
            "use e.g. 200"
        );
        ConfigException.Require(
            Dimension >= 1,
            $"{path}.dimension",
            $"must be at least 1, got {Dimension}",
            "use e.g. 10"
        );
        ConfigException.Require(
            Outputs >= 1 && (Kind != "teacher-classes" || Outputs >= 2),
            $"{path}.outputs",
            $"got {Outputs}",
            "use ≥ 1 outputs (≥ 2 classes)"
        );
        ConfigException.Require(
            TeacherWidth >= 1,
            $"{path}.teacher_width",
            $"must be at least 1, got {TeacherWidth}",
            "use e.g. 32"
        );
        ConfigException.Require(
            double.IsFinite(NoiseStd) && NoiseStd >= 0,
            $"{path}.noise_std",
            $"must be ≥ 0, got {NoiseStd}",
            "use e.g. 0.1"
        );
        ConfigException.Require(
            LabelNoise == 0 || Kind == "fashion-mnist",
            $"{path}.label_noise",
            $"moves labels to another class, which {Kind} does not do",
            Kind == "teacher-classes"
                ? "set task.label_resample (a share redrawn from all classes, the old one included)"
                : "remove it (regression tasks take task.noise_std)"
        );
        ConfigException.Require(
            LabelResample >= 0 && LabelResample <= 1 && (LabelResample == 0 || Kind == "teacher-classes"),
            $"{path}.label_resample",
            $"must be in [0, 1] and is for teacher-classes only, got {LabelResample} for {Kind}",
            "use e.g. 0.2 with teacher-classes"
        );
        return this;
    }

    /// <summary>
    /// Draws the task from <paramref name="seed"/>. Regression targets are [n, p] floats; classification targets are
    /// one-hot [n, p] floats (clean targets one-hot of the teacher's class, so label noise = targets − clean).
    /// </summary>
    public TaskData Create(long seed, ScalarType dtype = ScalarType.Float64)
    {
        Validate();
        ConfigException.Require(
            Kind != "provided",
            "task.kind",
            $"'provided' ({Description}) has no generator: its arrays come with the run that made them",
            "use a generated kind (sine, teacher, linear-teacher, teacher-classes, modular, fashion-mnist) or arrays"
        );
        if (Kind == "sine")
            return SineTask.Create(TrainSamples, TestSamples, -2.5, 2.5, 0.9, 1.7, NoiseStd, seed, dtype);
        if (Kind == "modular")
            return Modular(seed, dtype);
        if (Kind == "fashion-mnist")
            return FashionMnistTask(seed, dtype);
        if (Kind == "arrays")
            return ArrayTask.Create(this, seed, dtype);
        using var scope = NewDisposeScope();
        var g = Seeds.Generator(seed);
        var xs = randn(new long[] { TrainSamples, Dimension }, dtype: ScalarType.Float64, generator: g);
        var xq = randn(new long[] { TestSamples, Dimension }, dtype: ScalarType.Float64, generator: g);
        Func<Tensor, Tensor> teacher;
        if (Kind == "linear-teacher")
        {
            var beta =
                randn(new long[] { Dimension, Outputs }, dtype: ScalarType.Float64, generator: g)
                / Math.Sqrt(Dimension);
            teacher = x => x.matmul(beta);
        }
        else
        {
            var net = new Mlp(
                new MlpConfig
                {
                    Widths = [Dimension, TeacherWidth, Outputs],
                    Activation = Activation.Tanh,
                    WeightStd = 1.5,
                    BiasStd = 0.2,
                },
                g
            );
            teacher = x =>
            {
                using var _ = no_grad();
                return net.call(x);
            };
        }
        var cleanS = teacher(xs);
        var cleanQ = teacher(xq);
        TaskData task;
        if (Kind == "teacher-classes")
        {
            var classS = cleanS.argmax(1);
            var flip = rand(new long[] { TrainSamples }, dtype: ScalarType.Float64, generator: g).lt(LabelResample);
            var random = randint(0, Outputs, new long[] { TrainSamples }, generator: g);
            var noisy = where(flip, random, classS);
            task = new TaskData(
                xs.to_type(dtype),
                OneHot(noisy).to_type(dtype),
                OneHot(classS).to_type(dtype),
                xq.to_type(dtype),
                OneHot(cleanQ.argmax(1)).to_type(dtype)
            );
        }
        else
        {
            var noise = NoiseStd * randn(cleanS.shape, dtype: ScalarType.Float64, generator: g);
            task = new TaskData(
                xs.to_type(dtype),
                (cleanS + noise).to_type(dtype),
                cleanS.to_type(dtype),
                xq.to_type(dtype),
                cleanQ.to_type(dtype)
            );
        }
        g.Dispose();
        return task;
    }

    /// <summary>
    /// A seeded random draw of n training and m test images of the kept classes, standardized by the training draw's
    /// pixel mean and standard deviation; a share <see cref="LabelNoise"/> of training labels is changed to a different
    /// kept class, uniformly (for two classes: the sign flips), so <c>targets − clean targets</c> records exactly
    /// which labels changed.
    /// </summary>
    private TaskData FashionMnistTask(long seed, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var groups = LabelGroups;
        var kept = groups.SelectMany(g => g).ToArray();
        var g = Seeds.Generator(seed);
        (Tensor X, Tensor Label) Draw(string split, int count)
        {
            var (images, labels) = FashionMnist.Load(Data, split, field: "task.data");
            var code = full(new long[] { 10 }, -1L, dtype: ScalarType.Int64);
            for (int j = 0; j < groups.Length; j++)
                foreach (int label in groups[j])
                    code[label] = j;
            var mapped = code.index_select(0, labels);
            var pool = mapped.ge(0).nonzero().reshape(-1);
            ConfigException.Require(
                pool.shape[0] >= count,
                split == "train" ? "task.train_samples" : "task.test_samples",
                $"only {pool.shape[0]} {split} images of classes [{string.Join(", ", kept)}]",
                $"use at most {pool.shape[0]}"
            );
            var pick = pool.index_select(0, randperm(pool.shape[0], generator: g)[TensorIndex.Slice(0, count)]);
            var x = images.index_select(0, pick);
            if (Pool > 1)
                x = nn.functional.avg_pool2d(x.reshape(count, 1, 28, 28), Pool).reshape(count, -1);
            return (x, mapped.index_select(0, pick));
        }
        var (xs, cs) = Draw("train", TrainSamples);
        var (xq, cq) = Draw("t10k", TestSamples);
        if (Whiten > 0)
        {
            // ZCA: x ← (x − μ) V diag((λ + ε λ̄)^{-1/2}) Vᵀ from the training draw's pixel covariance.
            var mu = xs.mean(new long[] { 0 }, keepdim: true);
            var centered = xs - mu;
            var (lambda, v) = linalg.eigh(centered.T.matmul(centered) / TrainSamples);
            var scale = (lambda.clamp_min(0) + Whiten * lambda.clamp_min(0).mean()).rsqrt();
            var zca = (v * scale).matmul(v.T);
            xs = centered.matmul(zca);
            xq = (xq - mu).matmul(zca);
        }
        double mean = xs.mean().item<double>(),
            std = xs.std().item<double>();
        xs = (xs - mean) / std;
        xq = (xq - mean) / std;
        int k = groups.Length;
        var flip = rand(new long[] { TrainSamples }, dtype: ScalarType.Float64, generator: g).lt(LabelNoise);
        var shift = randint(1, k, new long[] { TrainSamples }, generator: g); // a different class, uniformly
        var noisy = where(flip, (cs + shift).remainder(k), cs);
        Tensor Targets(Tensor classes) =>
            k == 2
                ? where(classes.eq(0), 1.0, -1.0).to_type(dtype).unsqueeze(1)
                : nn.functional.one_hot(classes, k).to_type(dtype);
        if (Images)
        {
            int side = 28 / Pool;
            xs = xs.reshape(TrainSamples, 1, side, side);
            xq = xq.reshape(TestSamples, 1, side, side);
        }
        var task = new TaskData(xs.to_type(dtype), Targets(noisy), Targets(cs), xq.to_type(dtype), Targets(cq));
        g.Dispose();
        return task;
    }

    private Tensor OneHot(Tensor classes) => nn.functional.one_hot(classes, Outputs).to_type(ScalarType.Float64);

    /// <summary>
    /// Every pair (a, b) ∈ ℤ_p² (b ≠ 0 for div) labelled a ∘ b mod p, inputs the concatenated one-hots of a
    /// and b, split at random (seeded) into a training share and a held-out rest; targets one-hot.
    /// </summary>
    private TaskData Modular(long seed, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        int p = Modulus;
        var pairs = new List<(int A, int B, int C)>();
        for (int a = 0; a < p; a++)
        for (int b = Operation == "div" ? 1 : 0; b < p; b++)
            pairs.Add(
                (
                    a,
                    b,
                    Operation switch
                    {
                        "add" => (a + b) % p,
                        "sub" => ((a - b) % p + p) % p,
                        "mul" => a * b % p,
                        _ => (int)((long)a * ModularInverse(b, p) % p),
                    }
                )
            );
        var order = randperm(pairs.Count, generator: Seeds.Generator(seed)).data<long>().ToArray();
        int train = (int)Math.Round(TrainFraction * pairs.Count);
        Tensor Inputs(IEnumerable<long> idx) =>
            Sequence
                ? tensor(
                        idx.SelectMany(i => new double[] { pairs[(int)i].A, pairs[(int)i].B, p }).ToArray(),
                        new long[] { idx.Count(), 3 },
                        dtype: ScalarType.Float64
                    )
                    .to_type(dtype)
                : cat(
                        new[]
                        {
                            nn.functional.one_hot(tensor(idx.Select(i => (long)pairs[(int)i].A).ToArray()), p),
                            nn.functional.one_hot(tensor(idx.Select(i => (long)pairs[(int)i].B).ToArray()), p),
                        },
                        1
                    )
                    .to_type(dtype);
        Tensor Targets(IEnumerable<long> idx) =>
            nn.functional.one_hot(tensor(idx.Select(i => (long)pairs[(int)i].C).ToArray()), p).to_type(dtype);
        var trainIdx = order.Take(train).ToArray();
        var testIdx = order.Skip(train).ToArray();
        var y = Targets(trainIdx);
        return new TaskData(Inputs(trainIdx), y, y.clone(), Inputs(testIdx), Targets(testIdx));
    }

    private static long ModularInverse(long b, long p)
    {
        long result = 1,
            e = p - 2,
            x = b % p;
        while (e > 0)
        {
            if ((e & 1) == 1)
                result = result * x % p;
            x = x * x % p;
            e >>= 1;
        }
        return result;
    }

    private static bool IsPrime(int n)
    {
        for (int k = 2; k * k <= n; k++)
            if (n % k == 0)
                return false;
        return n >= 2;
    }
}
