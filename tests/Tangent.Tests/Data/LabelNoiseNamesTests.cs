using Tangent.Data;
using static TorchSharp.torch;

namespace Tangent.Tests.Data;

/// <summary>
/// The two kinds of label noise have two names. teacher-classes redraws a share r of the labels from all p classes, so
/// the share that changes is r(1 − 1/p): a binomial count, checked within 4 standard deviations.
/// </summary>
public class LabelNoiseNamesTests
{
    [Fact]
    public void RedrawnLabelsChangeAtTheRateOneMinusOneOverP()
    {
        const int n = 4000,
            p = 4;
        const double r = 0.4;
        var config = new TaskConfig
        {
            Kind = "teacher-classes",
            TrainSamples = n,
            TestSamples = 10,
            Dimension = 5,
            Outputs = p,
            LabelResample = r,
        }.Validate();
        using var task = config.Create(3);
        long changed = task.TrainY.argmax(1).ne(task.TrainClean.argmax(1)).sum().item<long>();
        double rate = r * (1 - 1.0 / p),
            sd = Math.Sqrt(n * rate * (1 - rate));
        Assert.InRange(changed, n * rate - 4 * sd, n * rate + 4 * sd);
    }

    [Fact]
    public void EachNameIsRefusedForTheOtherTask()
    {
        var moved = Assert.Throws<ConfigException>(() =>
            new TaskConfig
            {
                Kind = "teacher-classes",
                Outputs = 3,
                LabelNoise = 0.2,
            }.Validate()
        );
        Assert.Equal("task.label_noise", moved.Field);
        Assert.Contains("label_resample", moved.Message);
        var redrawn = Assert.Throws<ConfigException>(() =>
            new TaskConfig { Kind = "teacher", LabelResample = 0.2 }.Validate()
        );
        Assert.Equal("task.label_resample", redrawn.Field);
    }
}
