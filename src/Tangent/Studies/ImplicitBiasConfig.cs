using Tangent.Commands;
using Tangent.Data;
using Tangent.Models;
using Tangent.Reports;
using Tangent.Store;
using Tangent.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Studies;

/// <summary>Settings of the implicit-bias study: one under-determined task, a lazy and a rich network trained by GD
/// from their initializations.</summary>
public sealed record ImplicitBiasConfig
{
    /// <summary>Under-determined regression (n = 50 ≪ P): a random tanh teacher with small label noise.</summary>
    public TaskConfig Task { get; init; } =
        new()
        {
            Kind = "teacher",
            TrainSamples = 50,
            TestSamples = 200,
            Dimension = 5,
            Outputs = 1,
            TeacherWidth = 16,
            NoiseStd = 0.1,
        };

    /// <summary>Lazy: a wide NTK-parameterized ReLU network (kernel drift well under 1 %).</summary>
    public MlpConfig LazyModel { get; init; } =
        new()
        {
            Widths = [5, 2048, 1],
            WeightStd = Math.Sqrt(2),
            BiasStd = 0.1,
        };

    /// <summary>Lazy learning rate and steps (interpolates the 50 points).</summary>
    public double LazyLr { get; init; } = 0.2;

    /// <summary>Lazy steps.</summary>
    public int LazySteps { get; init; } = 3000;

    /// <summary>Rich: a narrow standard-parameterized tanh network (its kernel moves by tens of percent).</summary>
    public MlpConfig RichModel { get; init; } =
        new()
        {
            Widths = [5, 32, 1],
            Activation = Activation.Tanh,
            Parameterization = Parameterization.Standard,
            BiasStd = 0.1,
        };

    /// <summary>Rich learning rate.</summary>
    public double RichLr { get; init; } = 0.05;

    /// <summary>Rich steps.</summary>
    public int RichSteps { get; init; } = 8000;

    /// <summary>Kernel snapshots (log-spaced) per run.</summary>
    public int Snapshots { get; init; } = 60;

    /// <summary>Relative test-output error below which an end state counts as predicted.</summary>
    public double Tolerance { get; init; } = 0.05;

    /// <summary>
    /// A network "interpolates" when its final train MSE is below this share of the label-noise variance σ² (most of
    /// the noise fitted): 0.2, Tangent's choice (an unfitted network sits at about σ²).
    /// </summary>
    public double InterpolationShare { get; init; } = 0.2;

    /// <summary>
    /// The rich run "leaves the frozen kernel" when its frozen-kernel error exceeds both <see cref="Tolerance"/> and
    /// this multiple of its realized-path error: 5, Tangent's choice (the frozen kernel must be clearly the worse
    /// description, not only above the tolerance).
    /// </summary>
    public double RichMargin { get; init; } = 5;

    /// <summary>Seed.</summary>
    public long Seed { get; init; }
}
