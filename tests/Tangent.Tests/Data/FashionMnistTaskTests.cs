using Tangent.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Tangent.Tests.Data;

/// <summary>The fashion-mnist task kind: its label noise records exactly the labels it changed, and its whitening
/// decorrelates.</summary>
public class FashionMnistTaskTests
{
    [Fact]
    public void BinaryLabelNoiseFlipsSignsAndRecordsEachFlip()
    {
        using var dir = new TempDir();
        SyntheticMnist.Write(dir.File("data"), 3000, 400);
        var config = new TaskConfig
        {
            Kind = "fashion-mnist",
            Data = dir.File("data"),
            Classes = [2, 4],
            TrainSamples = 400,
            TestSamples = 60,
            LabelNoise = 0.3,
        };
        using var task = config.Create(5);
        Assert.Equal(1, config.OutputDimension);
        Assert.Equal(new long[] { 400, 1 }, task.TrainY.shape);
        Assert.True(task.TrainClean.abs().eq(1).all().item<bool>());
        using var noise = task.LabelNoise;
        var changed = noise.ne(0).reshape(-1);
        // Every changed label is the opposite sign; unchanged ones are the clean label.
        Assert.True(
            task.TrainY.index_select(0, changed.nonzero().reshape(-1))
                .eq(-task.TrainClean.index_select(0, changed.nonzero().reshape(-1)))
                .all()
                .item<bool>()
        );
        // The number of flips is Binomial(400, 0.3): mean 120, sd 9.2; within 4 sd.
        long flips = changed.sum().item<long>();
        Assert.InRange(flips, 120 - 37, 120 + 37);
    }

    [Fact]
    public void TenClassLabelNoiseMovesToAnotherClass()
    {
        using var dir = new TempDir();
        SyntheticMnist.Write(dir.File("data"), 1000, 200);
        var config = new TaskConfig
        {
            Kind = "fashion-mnist",
            Data = dir.File("data"),
            TrainSamples = 500,
            TestSamples = 100,
            LabelNoise = 0.2,
        };
        using var task = config.Create(1);
        Assert.Equal(new long[] { 500, 10 }, task.TrainY.shape);
        Assert.True(task.TrainY.sum(1).eq(1).all().item<bool>());
        var changed = task.TrainY.argmax(1).ne(task.TrainClean.argmax(1));
        using var noise = task.LabelNoise;
        // the noise is nonzero exactly on the changed rows
        Assert.True(noise.abs().sum(1).gt(0).eq(changed).all().item<bool>());
        Assert.InRange(changed.sum().item<long>(), 100 - 36, 100 + 36); // Binomial(500, 0.2): sd 8.9
    }

    [Fact]
    public void WhiteningWithATinyFloorGivesAnIsotropicTrainingCovariance()
    {
        using var dir = new TempDir();
        SyntheticMnist.Write(dir.File("data"), 2000, 100);
        // 7×7 pooling: 16 inputs, n = 1000 ≫ 16, so the sample covariance is full rank and ZCA with ε → 0 makes
        // it c·I.
        var config = new TaskConfig
        {
            Kind = "fashion-mnist",
            Data = dir.File("data"),
            TrainSamples = 1000,
            TestSamples = 50,
            Pool = 7,
            Whiten = 1e-9,
        };
        using var task = config.Create(0);
        Assert.Equal(16, config.InputDimension);
        var x = task.TrainX - task.TrainX.mean([0], keepdim: true);
        var cov = x.T.matmul(x) / 1000;
        double scale = cov.diagonal().mean().item<double>();
        double offDiagonal = (cov - diag(cov.diagonal())).abs().max().item<double>();
        Assert.True(
            offDiagonal < 1e-6 * scale,
            $"largest off-diagonal covariance {offDiagonal} against diagonal {scale}"
        );
        Assert.True((cov.diagonal() - scale).abs().max().item<double>() < 1e-6 * scale);
    }

    [Fact]
    public void LabelGroupsMakeOneClassOfEachGroup()
    {
        // Dziugaite & Roy's binarization: label < 5 is +1, ≥ 5 is −1. Both configs keep all ten labels, so the same
        // seed draws the same images, and the ten singleton groups give each image's own label.
        using var dir = new TempDir();
        SyntheticMnist.Write(dir.File("data"), 600, 100);
        TaskConfig Config(IReadOnlyList<IReadOnlyList<int>> groups) =>
            new()
            {
                Kind = "fashion-mnist",
                Data = dir.File("data"),
                Groups = groups,
                TrainSamples = 300,
                TestSamples = 50,
            };
        var binary = Config([
                [0, 1, 2, 3, 4],
                [5, 6, 7, 8, 9],
            ])
            .Validate();
        using var task = binary.Create(3);
        using var all = Config([
                [0],
                [1],
                [2],
                [3],
                [4],
                [5],
                [6],
                [7],
                [8],
                [9],
            ])
            .Create(3);
        Assert.Equal(1, binary.OutputDimension);
        var expected = where(all.TrainY.argmax(1).lt(5), 1.0, -1.0).unsqueeze(1);
        Assert.True(task.TrainY.eq(expected).all().item<bool>());
        Assert.Equal(
            10,
            Config([
                [0],
                [1],
                [2],
                [3],
                [4],
                [5],
                [6],
                [7],
                [8],
                [9],
            ]).OutputDimension
        );
        Assert.Equal(
            3,
            Config([
                [0, 1],
                [2, 3],
                [4],
            ]).OutputDimension
        );
    }

    [Theory]
    [InlineData("[[0, 1], [1, 2]]")]
    [InlineData("[[0, 1]]")]
    [InlineData("[[0, 10], [2]]")]
    [InlineData("[[0], []]")]
    public void BadGroupsNameTheField(string groups)
    {
        var parsed = System.Text.Json.JsonSerializer.Deserialize<int[][]>(groups)!;
        var e = Assert.Throws<ConfigException>(() =>
            new TaskConfig { Kind = "fashion-mnist", Groups = parsed }.Validate()
        );
        Assert.Contains("task.groups", e.Message);
    }

    [Fact]
    public void GroupsAndClassesTogetherAreRefused()
    {
        var e = Assert.Throws<ConfigException>(() =>
            new TaskConfig
            {
                Kind = "fashion-mnist",
                Classes = [0, 1],
                Groups =
                [
                    [0],
                    [1],
                ],
            }.Validate()
        );
        Assert.Contains("task.groups", e.Message);
        Assert.Contains("task.classes", e.Message);
    }

    [Fact]
    public void BadClassesNameTheField()
    {
        var e = Assert.Throws<ConfigException>(() =>
            new TaskConfig { Kind = "fashion-mnist", Classes = [3] }.Validate()
        );
        Assert.Contains("task.classes", e.Message);
    }
}
