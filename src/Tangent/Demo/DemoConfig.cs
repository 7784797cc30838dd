namespace Tangent.Demo;

/// <summary>
/// Settings of <c>tangent demo</c>: the signal channel of a one-hidden-layer ReLU network fitting a noisy 1-D sine.
/// Every default is the one stated in the foundation issue.
/// </summary>
public sealed record DemoConfig
{
    /// <summary>Hidden width N (output scaled by 1/√N).</summary>
    public int Width { get; init; } = 80;

    /// <summary>Gradient-descent learning rate η on Φ = (1/2n) Σ (u − y)².</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Number of full-batch gradient-descent steps T.</summary>
    public int Steps { get; init; } = 20_000;

    /// <summary>Training points n, evenly spaced on [XMin, XMax].</summary>
    public int TrainPoints { get; init; } = 30;

    /// <summary>Clean test points m, at cell midpoints of [XMin, XMax].</summary>
    public int TestPoints { get; init; } = 80;

    /// <summary>Left end of the input interval.</summary>
    public double XMin { get; init; } = -2.5;

    /// <summary>Right end of the input interval.</summary>
    public double XMax { get; init; } = 2.5;

    /// <summary>Target amplitude a in a·sin(ωx).</summary>
    public double Amplitude { get; init; } = 0.9;

    /// <summary>Target frequency ω in a·sin(ωx).</summary>
    public double Frequency { get; init; } = 1.7;

    /// <summary>Standard deviation σ of the Gaussian label noise on training targets.</summary>
    public double NoiseStd { get; init; } = 0.18;

    /// <summary>Number of log-spaced eNTK checkpoints in [1, Steps] (step 0 is always added).</summary>
    public int Checkpoints { get; init; } = 40;

    /// <summary>Channel threshold τ: eigenvalues λ ≥ τ·λ_max form the signal channel.</summary>
    public double ChannelThreshold { get; init; } = 0.01;

    /// <summary>Steps between rows of metrics.csv (checkpoint steps are always logged).</summary>
    public int LogEvery { get; init; } = 100;

    /// <summary>Seed of the label noise (seed) and of the initialization (seed + 1).</summary>
    public long Seed { get; init; } = 0;

    /// <summary>
    /// The largest objects of the demo: the one-hidden-layer network's 3N + 1 parameters with gradients and update
    /// (float64, four copies) and the activations of the training, test and grid passes ((n + m + 400)·N, three
    /// copies); the kernels are n × n and m × n, small.
    /// </summary>
    public IReadOnlyList<MemoryItem> MemoryEstimate() =>
        [
            new($"network of width {Width}", 8.0 * 4 * (3.0 * Width + 1), "--width"),
            new("activations", 8.0 * 3 * (TrainPoints + TestPoints + 400.0) * Width, "--width"),
        ];

    /// <summary>Checks every field; throws <see cref="ConfigException"/> naming the first bad one.</summary>
    public DemoConfig Validate()
    {
        ConfigException.Require(
            Width >= 1,
            "--width",
            $"must be at least 1, got {Width}",
            "pass a positive hidden width such as 80"
        );
        ConfigException.Require(
            double.IsFinite(LearningRate) && LearningRate > 0,
            "--lr",
            $"must be a positive number, got {LearningRate}",
            "pass e.g. --lr 0.05"
        );
        ConfigException.Require(Steps >= 1, "--steps", $"must be at least 1, got {Steps}", "pass e.g. --steps 20000");
        ConfigException.Require(
            TrainPoints >= 2,
            "--train-points",
            $"must be at least 2, got {TrainPoints}",
            "pass e.g. --train-points 30"
        );
        ConfigException.Require(
            TestPoints >= 1,
            "--test-points",
            $"must be at least 1, got {TestPoints}",
            "pass e.g. --test-points 80"
        );
        ConfigException.Require(
            double.IsFinite(XMin) && double.IsFinite(XMax) && XMin < XMax,
            "--x-min/--x-max",
            $"need x-min < x-max, got [{XMin}, {XMax}]",
            "pass an interval such as --x-min -2.5 --x-max 2.5"
        );
        ConfigException.Require(
            double.IsFinite(Amplitude),
            "--amplitude",
            "must be finite",
            "pass e.g. --amplitude 0.9"
        );
        ConfigException.Require(
            double.IsFinite(Frequency),
            "--frequency",
            "must be finite",
            "pass e.g. --frequency 1.7"
        );
        ConfigException.Require(
            double.IsFinite(NoiseStd) && NoiseStd >= 0,
            "--noise-std",
            $"must be ≥ 0, got {NoiseStd}",
            "pass e.g. --noise-std 0.18"
        );
        ConfigException.Require(
            Checkpoints >= 2 && Checkpoints <= Steps,
            "--checkpoints",
            $"must be between 2 and --steps ({Steps}), got {Checkpoints}",
            $"pass --checkpoints {Math.Max(2, Math.Min(40, Steps))} or more --steps"
        );
        ConfigException.Require(
            double.IsFinite(ChannelThreshold) && ChannelThreshold > 0 && ChannelThreshold < 1,
            "--channel-threshold",
            $"must be in (0, 1), got {ChannelThreshold}",
            "pass a fraction of λ_max such as 0.01"
        );
        ConfigException.Require(
            LogEvery >= 1,
            "--log-every",
            $"must be at least 1, got {LogEvery}",
            "pass e.g. --log-every 100"
        );
        Seeds.Check(Seed, "--seed");
        return this;
    }
}
