using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Tangent.Native;

namespace Tangent.Cli;

/// <summary>
/// The <c>tangent</c> command line: a thin shell over the library. Exit codes: 0 success,
/// 1 the work failed, 2 bad usage or bad input (one line on stderr), 130 interrupted.
/// </summary>
public static class TangentCli
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;
    /// <summary>Exit code for a failure while working.</summary>
    public const int Failed = 1;
    /// <summary>Exit code for bad usage or input.</summary>
    public const int Usage = 2;
    /// <summary>Exit code after Ctrl+C or SIGTERM.</summary>
    public const int Interrupted = 130;

    /// <summary>Global flag: show stack traces on errors.</summary>
    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Show full error details (stack traces) when something fails",
        Recursive = true,
    };

    /// <summary>Parses <paramref name="args"/> and runs the command.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        // A plain Command named "tangent" rather than RootCommand, whose name would be the assembly's (Tangent.Cli).
        var root = new Command("tangent", "Tangent: measure the output-space (eNTK) theory of generalization on real networks.\n" +
                                   "Signal channel, reservoir and test transfer of the empirical neural tangent kernel, along real training runs.");
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption { Action = new PrintVersion() });
        root.Options.Add(Verbose);
        root.Subcommands.Add(DemoCommand.Create(stdout, stderr));
        root.Subcommands.Add(NtkCommand.Create(stdout, stderr));
        root.Subcommands.Add(KernelCommand.Create(stdout, stderr));
        root.Subcommands.Add(TrainCommand.Train(stdout, stderr));
        root.Subcommands.Add(TrainCommand.Analyze(stdout, stderr));
        root.Subcommands.Add(StudyCommand.Create(stdout, stderr));
        root.Subcommands.Add(GrokkingCommand.Create(stdout, stderr));
        root.Subcommands.Add(InfoCommand(stdout));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            string command = parse.CommandResult.Command == root ? "tangent" : $"tangent {parse.CommandResult.Command.Name}";
            stderr.WriteLine($"tangent: {parse.Errors[0].Message} (see '{command} --help')");
            return Usage;
        }
        return parse.Invoke(new InvocationConfiguration
        {
            Output = stdout,
            Error = stderr,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        });
    }

    /// <summary>
    /// Runs <paramref name="work"/> with a cancellation token tripped by Ctrl+C or SIGTERM, and turns
    /// exceptions into one-line messages and exit codes.
    /// </summary>
    public static int Guard(ParseResult parse, TextWriter stderr, Func<CancellationToken, int> work)
    {
        using var cts = new CancellationTokenSource();
        int signals = 0;
        void Cancel(PosixSignalContext context)
        {
            // The first signal asks the work to stop at its next safe point (between training steps, kernel blocks, path segments); a
            // second one takes the default action and ends the process at once, even inside one long LibTorch call. Either way the run
            // directory holds only complete files and reads as failed (an ended process's "running" run is recognised by its dead pid).
            if (Interlocked.Increment(ref signals) > 1) return;
            context.Cancel = true;
            Console.Error.WriteLine("tangent: stopping at the next safe point (send the signal again to stop at once)");
            cts.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Cancel);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Cancel);
        bool verbose = parse.GetValue(Verbose);
        try
        {
            return work(cts.Token);
        }
        catch (ConfigException e)
        {
            stderr.WriteLine($"tangent: {e.Message}");
            return Usage;
        }
        catch (OperationCanceledException)
        {
            stderr.WriteLine("tangent: interrupted; nothing half-written is left (an unfinished run directory reads as failed; a training run resumes with tangent train --resume RUN)");
            return Interrupted;
        }
        catch (Exception e)
        {
            stderr.WriteLine(verbose ? $"tangent: {e}" : $"tangent: {OneLine(e)} (rerun with --verbose for details)");
            return Failed;
        }
    }

    /// <summary>The innermost meaningful message of <paramref name="e"/>, on one line.</summary>
    public static string OneLine(Exception e)
    {
        while (e is TypeInitializationException or System.Reflection.TargetInvocationException && e.InnerException is not null)
            e = e.InnerException;
        return e.Message.ReplaceLineEndings(" ").Trim();
    }

    private static Command InfoCommand(TextWriter stdout)
    {
        var info = new Command("info", "Print Tangent, TorchSharp and LibTorch versions and check that the tensor engine loads and computes");
        info.SetAction(parse => Guard(parse, Console.Error, _ =>
        {
            stdout.WriteLine($"tangent    {TorchRuntime.TangentVersion}{(TorchRuntime.GitCommit is { } c ? $" ({c})" : "")}");
            stdout.WriteLine($"torchsharp {TorchRuntime.TorchSharpVersion}");
            stdout.WriteLine($"libtorch   {TorchRuntime.LibTorchVersion}");
            stdout.WriteLine($"threads    {TorchRuntime.Threads}");
            stdout.WriteLine($"self-check {TorchSelfCheck.Run()}");
            return Ok;
        }));
        return info;
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine($"tangent {TorchRuntime.TangentVersion}{(TorchRuntime.GitCommit is { } c ? $" ({c[..Math.Min(12, c.Length)]})" : "")}");
            return Ok;
        }
    }
}
