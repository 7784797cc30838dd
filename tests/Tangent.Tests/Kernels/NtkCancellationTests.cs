using Tangent.Kernels;
using static TorchSharp.torch;

namespace Tangent.Tests.Kernels;

/// <summary>Every kernel method honours <see cref="NtkOptions.Cancel"/> between its blocks.</summary>
public class NtkCancellationTests
{
    [Theory]
    [InlineData(NtkMethod.LayerwiseRules)]
    [InlineData(NtkMethod.JacobianContraction)]
    [InlineData(NtkMethod.NtkVectorProducts)]
    public void ACancelledTokenStopsTheComputation(NtkMethod method)
    {
        using var scope = NewDisposeScope();
        var pr = NtkModels.Get((string)NtkModels.Names().First()[0]);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Ntk.Compute(pr.Model, pr.XS, null, new NtkOptions { Method = method, Cancel = cts.Token })
        );
        // The same call without the cancelled token completes.
        using var k = Ntk.Compute(pr.Model, pr.XS, null, new NtkOptions { Method = method });
        Assert.Equal(2, k.Kss.dim());
    }
}
