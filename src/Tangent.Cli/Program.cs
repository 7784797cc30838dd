using Tangent.Commands;

namespace Tangent.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Tangent.Native.Allocator.FixMmapThreshold(); // long runs otherwise fragment glibc's heap (docs/performance.md)
        if (Environment.GetEnvironmentVariable("TANGENT_MKL_ANY_CPU") == "1")
            Tangent.Native.MklDispatch.EnableAnyCpu(); // opt-in: MKL's Intel paths on AMD (docs/performance.md)
        return TangentCli.Run(args, Console.Out, Console.Error);
    }
}
