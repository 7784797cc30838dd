namespace Tangent.Sweeps;

/// <summary>
/// How to start <c>tangent</c> itself from another process (a local executor's child, a Slurm array task): the
/// program and the arguments before the subcommand, e.g. <c>[/opt/tangent/tangent]</c> or
/// <c>[dotnet, /opt/tangent/Tangent.Cli.dll]</c>.
/// </summary>
public sealed record SweepTaskCommand(IReadOnlyList<string> Prefix)
{
    /// <summary>The arguments of the task of run <paramref name="index"/> of the sweep at <paramref name="dir"/>,
    /// with <paramref name="threads"/> LibTorch threads (0: LibTorch's default).</summary>
    public IReadOnlyList<string> Task(string dir, int index, int threads) =>
        [
            .. Prefix,
            "sweep",
            "task",
            dir,
            "--index",
            index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--threads",
            threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ];
}
