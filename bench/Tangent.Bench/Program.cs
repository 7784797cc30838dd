using BenchmarkDotNet.Running;
using Tangent.Bench;

// `dotnet run -c Release --project bench/Tangent.Bench -- roofline` prints eNTK throughput as a share of this
// machine's measured matmul peak; any other arguments go to BenchmarkDotNet (e.g. --filter '*').
if (args.Length > 0 && args[0] == "roofline")
{
    Roofline.Run(Console.Out);
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(EntkBenchmarks).Assembly).Run(args);
return 0;
