namespace Tangent.Cli;

internal static class Program
{
    private static int Main(string[] args) => TangentCli.Run(args, Console.Out, Console.Error);
}
