using BenchmarkDotNet.Running;
using Tangent.Bench;

// dotnet run -c Release --project bench/Tangent.Bench -- entk [--quick]: the eNTK sweep against the PyTorch peer;
// ... -- models: the CNN's and the transformer's eNTK per method; ... -- roofline: the eNTK rate as a share of the GEMM
// peak; ... -- exact-gate: SnrAdamW's exact-gate moments against a backward pass; ... -- dense-floor [--n 4000]: the
// dense path analysis against its own eighs and products; ... -- momentum [--n 1000]: the dense momentum operators
// by mode maps against the augmented propagator; any other arguments go to BenchmarkDotNet (e.g. -- --filter '*').
Tangent.Native.Allocator.FixMmapThreshold(); // as the tangent CLI runs: fixed mmap threshold, huge pages
if (Environment.GetEnvironmentVariable("TANGENT_MKL_ANY_CPU") == "1")
    Console.Error.WriteLine(Tangent.Native.MklDispatch.EnableAnyCpu()); // child processes inherit the variable
if (args.Length > 0 && args[0] == "dense-floor")
{
    DenseFloor.Run(Console.Out, args);
    return 0;
}
if (args.Length > 0 && args[0] == "momentum")
{
    MomentumModes.Run(Console.Out, args);
    return 0;
}
if (args.Length > 0 && args[0] == "exact-gate")
{
    ExactGate.Run(Console.Out, args);
    return 0;
}
if (args.Length > 0 && args[0] == "roofline")
{
    Roofline.Run(Console.Out);
    return 0;
}
if (args.Length > 0 && args[0] == "entk")
{
    EntkSweep.Run(Console.Out, args);
    return 0;
}
if (args.Length > 0 && args[0] == "models")
{
    ModelSweep.Run(Console.Out, args[1..]);
    return 0;
}
if (args.Length > 0 && args[0] == "models-one")
{
    ModelSweep.RunOne(Console.Out, args);
    return 0;
}
if (args.Length > 0 && args[0] == "entk-one")
{
    EntkSweep.RunOne(Console.Out, args);
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(EntkBenchmarks).Assembly).Run(args);
return 0;
