using static TorchSharp.torch;

namespace Tangent.Data;

/// <summary>The 1-D toy of the demo: f*(x) = a·sin(ωx) on an interval, Gaussian label noise.</summary>
public static class SineTask
{
    /// <summary>
    /// n evenly spaced training points on [lo, hi] with targets a·sin(ωx) + N(0, σ²), and m clean test points at
    /// the midpoints of m equal cells of [lo, hi] (so none coincides with a training point).
    /// </summary>
    public static TaskData Create(
        int nTrain,
        int nTest,
        double lo,
        double hi,
        double amplitude,
        double frequency,
        double noiseStd,
        long seed,
        ScalarType dtype = ScalarType.Float64
    )
    {
        using var scope = NewDisposeScope();
        var generator = Seeds.Generator(seed);
        var trainX = linspace(lo, hi, nTrain, dtype: ScalarType.Float64).unsqueeze(1);
        double cell = (hi - lo) / nTest;
        var testX = linspace(lo + cell / 2, hi - cell / 2, nTest, dtype: ScalarType.Float64).unsqueeze(1);
        var clean = amplitude * sin(frequency * trainX);
        var noise = noiseStd * randn(new long[] { nTrain, 1 }, dtype: ScalarType.Float64, generator: generator);
        var task = new TaskData(
            trainX.to_type(dtype),
            (clean + noise).to_type(dtype),
            clean.to_type(dtype),
            testX.to_type(dtype),
            (amplitude * sin(frequency * testX)).to_type(dtype)
        );
        generator.Dispose();
        return task;
    }
}
