namespace Tangent.Tests.Common;

/// <summary>The size check: refused above the available bytes, with the largest item's field; allowed when skipped.</summary>
public class MemoryBudgetTests
{
    private static readonly MemoryItem[] Items =
    [
        new("kernel", 6e9, "task.train_samples"),
        new("parameters", 1e9, "model.widths"),
    ];

    [Fact]
    public void RefusesAboveTheAvailableMemoryNamingTheLargestItem()
    {
        var e = Assert.Throws<ConfigException>(() => MemoryBudget.Require(Items, available: 4_000_000_000));
        Assert.Equal("task.train_samples", e.Field);
        Assert.Contains("6.5 GiB", e.Message); // 7e9 bytes in all
        Assert.Contains(MemoryBudget.OverrideOption, e.Message);
    }

    [Fact]
    public void AllowsWhatFitsAndWhatTheUserInsistsOn()
    {
        MemoryBudget.Require(Items, available: 8_000_000_000);
        MemoryBudget.Require(Items, skip: true, available: 1);
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(6442450944, "6.0 GiB")]
    public void FormatUsesBinaryUnits(double bytes, string expected) => Assert.Equal(expected, MemoryBudget.Format(bytes));

    [Fact]
    public void TheTrainEstimateCountsTheKernelSnapshot()
    {
        // n = 1000 traced: K_SS 1000² and K_QS 1000×100, twice, 8 bytes: 17.6 MB exactly.
        var config = new Tangent.Training.TrainConfig
        {
            Task = new Tangent.Data.TaskConfig { Kind = "sine", TrainSamples = 1000, TestSamples = 100 },
            Record = new Tangent.Training.RecordConfig { Traced = true },
        };
        var kernel = config.MemoryEstimate().Single(i => i.What.StartsWith("kernel snapshot", StringComparison.Ordinal));
        Assert.Equal(8 * 2 * 1000.0 * 1100, kernel.Bytes);
    }

    [Fact]
    public void AvailableMemoryIsPositiveAndBelowTheMachine()
    {
        long available = MemoryBudget.Available();
        Assert.InRange(available, 1L << 20, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes * 2);
    }
}
