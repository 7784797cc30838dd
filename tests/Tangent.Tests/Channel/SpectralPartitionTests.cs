using Tangent.Channel;
using static TorchSharp.torch;

namespace Tangent.Tests.Channel;

/// <summary>The channel/reservoir split of a known spectrum.</summary>
public class SpectralPartitionTests
{
    [Fact]
    public void DiagonalOperatorSplitsAtRelativeThreshold()
    {
        using var scope = NewDisposeScope();
        using var p = SpectralPartition.Of(diag(tensor(new double[] { 1e-4, 10, 0.5, 0.05, 0 })), 0.01);
        Assert.Equal(new double[] { 10, 0.5, 0.05, 1e-4, 0 }, p.Values.data<double>().ToArray());
        Assert.Equal(10, p.LambdaMax);
        Assert.Equal(0.1, p.Threshold, 12);
        Assert.Equal(2, p.ChannelSize);
    }

    [Fact]
    public void SharesAreFractionsOfSquaredNorm()
    {
        using var scope = NewDisposeScope();
        // Channel: coordinates 0 and 1 (eigenvalues 5, 4); reservoir: coordinate 2 (eigenvalue 1e-6).
        using var p = SpectralPartition.Of(diag(tensor(new double[] { 5, 4, 1e-6 })), 0.01);
        var r = tensor(new double[] { 1, 2, 2 });
        Assert.Equal(5.0 / 9.0, p.ChannelShare(r), 12);
        Assert.Equal(4.0 / 9.0, p.ReservoirShare(r), 12);
        Assert.Equal(0.0, p.ChannelShare(zeros(3, dtype: ScalarType.Float64)));
    }

    [Fact]
    public void EigenvectorsAreOrthonormalAndDiagonalize()
    {
        using var scope = NewDisposeScope();
        var a = randn(new long[] { 12, 12 }, dtype: ScalarType.Float64, generator: new Generator(5));
        var k = a.matmul(a.T);
        using var p = SpectralPartition.Of(k, 0.01);
        var v = p.Vectors;
        Assert.True((v.T.matmul(v) - eye(12, dtype: ScalarType.Float64)).abs().max().item<double>() < 1e-12);
        Assert.True((v.T.matmul(k).matmul(v) - diag(p.Values)).abs().max().item<double>() < 1e-10);
        var values = p.Values.data<double>().ToArray();
        Assert.True(values.Zip(values.Skip(1)).All(t => t.First >= t.Second), "eigenvalues must be descending");
    }

    [Fact]
    public void AnAbsoluteThresholdSplitsAtThatEigenvalue()
    {
        using var scope = NewDisposeScope();
        // λ⋆ = 0.5: channel {10, 0.5}, reservoir {0.05, 1e-4, 0}, whatever λ_max is.
        using var p = SpectralPartition.OfAbsolute(diag(tensor(new double[] { 1e-4, 10, 0.5, 0.05, 0 })), 0.5);
        Assert.Equal(2, p.ChannelSize);
        Assert.Equal(0.5, p.Threshold);
        Assert.Equal(0.05, p.RelativeThreshold, 15);
    }

    [Fact]
    public void ColumnSharesAndLeveragesOfADiagonalOperator()
    {
        using var scope = NewDisposeScope();
        // Eigenvectors are the coordinate axes: channel = coordinates 0, 1; reservoir = coordinate 2.
        using var p = SpectralPartition.Of(diag(tensor(new double[] { 5, 4, 1e-6 })), 0.01);
        // R = [[1, 0], [2, 1], [2, 3]]: channel part 1 + 4 + 0 + 1 = 6 of 1 + 4 + 4 + 0 + 1 + 9 = 19.
        var r = tensor(new double[] { 1, 0, 2, 1, 2, 3 }, [3, 2]);
        Assert.Equal(6.0 / 19.0, p.ChannelShareOfColumns(r), 14);
        Assert.Equal(new double[] { 0, 0, 1 }, p.ReservoirLeverage());
        Assert.Equal(new long[] { 3, 2 }, p.ChannelVectors().shape);
    }
}
