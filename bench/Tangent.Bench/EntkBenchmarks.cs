using BenchmarkDotNet.Attributes;
using Tangent.Kernels;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Bench;

/// <summary>Jacobian-contraction eNTK (the reference method) on the demo network and on an MNIST-sized MLP.</summary>
[MemoryDiagnoser]
public class EntkBenchmarks
{
    private ScaledMlp _model = null!;
    private Tensor _x = null!;

    /// <summary>(inputs, width, outputs, n).</summary>
    [Params("1-80-1 n=30", "784-256-10 n=64")]
    public string Shape { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var (d, w, p, n) = Shape == "1-80-1 n=30" ? (1, 80, 1, 30) : (784, 256, 10, 64);
        _model = new ScaledMlp(d, w, p, new Generator(1));
        _x = randn(new long[] { n, d }, dtype: ScalarType.Float64).DetachFromDisposeScope();
    }

    [Benchmark]
    public double JacobianContraction()
    {
        using var scope = NewDisposeScope();
        var (k, _) = EmpiricalNtk.Compute(_model, _x);
        return k[0, 0].item<double>();
    }
}
