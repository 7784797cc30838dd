using System.Text.Json;
using Tangent.Training;

namespace Tangent.Tests.Common;

/// <summary>The strict config reader against hand-checked cases: edit distances, suggestions, computed keys,
/// seeds.</summary>
public class ConfigSchemaTests
{
    [Theory]
    [InlineData("steps", "steps", 0)]
    [InlineData("stpes", "steps", 1)] // one swap
    [InlineData("step", "steps", 1)]
    [InlineData("kitten", "sitting", 3)] // the textbook pair
    [InlineData("", "abc", 3)]
    public void EditDistanceMatchesHandCountedValues(string a, string b, int expected) =>
        Assert.Equal(expected, ConfigSchema.EditDistance(a, b));

    [Fact]
    public void NearestSuggestsTyposOnly()
    {
        string[] keys = ["steps", "batch_size", "log_every", "seed"];
        Assert.Equal("steps", ConfigSchema.Nearest("stpes", keys));
        Assert.Equal("batch_size", ConfigSchema.Nearest("bacth_size", keys));
        Assert.Null(ConfigSchema.Nearest("learning_rate", keys));
    }

    [Fact]
    public void AConfigCopiedFromRunJsonReadsBackTheSame()
    {
        // run.json records computed keys (task.input_dimension, task.is_classification); they must read back.
        var config = new TrainConfig
        {
            Task = new Tangent.Data.TaskConfig
            {
                Kind = "teacher-classes",
                Dimension = 5,
                Outputs = 3,
            },
            Model = new Tangent.Models.MlpConfig { Widths = [5, 8, 3] },
        };
        string json = Json.Serialize(config);
        Assert.Contains("\"input_dimension\"", json);
        var back = Json.ParseConfig<TrainConfig>(json, "run.json");
        Assert.Equal(json, Json.Serialize(back));
    }

    [Theory]
    [InlineData("""{"optimizer": {"kind": "Adam"}}""", "adam")]
    [InlineData("""{"model": {"widths": [1, 8, 1], "activation": "LeakyRelu"}}""", "leaky_relu")]
    public void EnumValuesAreTheirSnakeCaseNamesAndOtherSpellingsGetTheName(string json, string suggestion)
    {
        // One spelling per value, as run.json writes it; the C# spelling is refused with the right name to use.
        var e = Assert.Throws<ConfigException>(() => Json.ParseConfig<TrainConfig>(json, "c.json"));
        Assert.Contains($"did you mean \"{suggestion}\"", e.Message);
    }

    [Fact]
    public void AComputedKeyThatDisagreesIsRefused()
    {
        var e = Assert.Throws<ConfigException>(() =>
            Json.ParseConfig<TrainConfig>("""{"task": {"kind": "sine", "input_dimension": 5}}""", "c.json")
        );
        Assert.Equal("task.input_dimension", e.Field);
        Assert.Contains("computed", e.Message);
    }

    [Fact]
    public void SeedsAreRefusedWhereLibTorchWouldTruncateThem()
    {
        Assert.Equal(Seeds.Max, Seeds.Check(Seeds.Max, "seed"));
        Assert.Throws<ConfigException>(() => Seeds.Check(Seeds.Max + 1, "seed"));
        Assert.Throws<ConfigException>(() => Seeds.Check(1L << 32 | 1, "seed"));
        Assert.Throws<ConfigException>(() => Seeds.Check(-1, "seed"));
    }

    [Fact]
    public void LibTorchKeepsThirtyTwoBitsOfASeedWhichIsWhyLargerOnesAreRefused()
    {
        // The reason for the limit, measured: seeds 2³² apart give the same stream.
        using var a = TorchSharp.torch.randn(4, generator: new TorchSharp.torch.Generator(1));
        using var b = TorchSharp.torch.randn(4, generator: new TorchSharp.torch.Generator((1UL << 32) + 1));
        using var c = TorchSharp.torch.randn(4, generator: Seeds.Generator(Seeds.Max));
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());
    }

    [Fact]
    public void SeedsInsideStudyConfigsAreChecked()
    {
        var preset = Tangent.Studies.StudyCatalog.Find("double-descent").Preset("quick");
        var bad = Tangent.Studies.StudyCatalog.Override(preset, ["seed=4294967296"]);
        var e = Assert.Throws<ConfigException>(() => Seeds.CheckAll(bad, "--set "));
        Assert.Equal("--set seed", e.Field);
    }
}
