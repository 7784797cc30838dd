using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;
using Tangent.Commands;
using Tangent.Native;

namespace Tangent.Cli;

/// <summary>
/// The <c>tangent</c> command line: a thin shell over the library. Exit codes: 0 success, 1 the work failed, 2 bad
/// usage or bad input (one line on stderr), 130 interrupted.
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
        var root = new Command(
            "tangent",
            "Tangent: measure the output-space (eNTK) theory of generalization on real networks.\n"
                + "Signal channel, reservoir and test transfer of the empirical neural tangent kernel, along real "
                + "training runs."
        );
        root.Options.Add(new HelpOption());
        root.Options.Add(new VersionOption { Action = new PrintVersion() });
        root.Options.Add(Verbose);
        foreach (var command in Commands(stdout, stderr))
            root.Subcommands.Add(command);

        if (args is ["help", .. var rest])
            args = [.. rest, "--help"];
        if (args.Length == 0)
        {
            stderr.WriteLine(
                "tangent: no command given; the commands are "
                    + $"{string.Join(", ", root.Subcommands.Select(c => c.Name))} (see 'tangent --help')"
            );
            return Usage;
        }
        var parse = root.Parse(args);
        var commands = root.Subcommands.Select(c => c.Name).ToList();
        if (args.Length > 0 && !args[0].StartsWith('-') && !commands.Contains(args[0]))
        {
            string near = ConfigSchema.Nearest(args[0], commands) is { } n ? $"did you mean '{n}'? " : "";
            stderr.WriteLine(
                $"tangent: unknown command '{args[0]}'; {near}the commands are {string.Join(", ", commands)} "
                    + "(see 'tangent --help')"
            );
            return Usage;
        }
        if (parse.Errors.Count > 0)
        {
            string command =
                parse.CommandResult.Command == root ? "tangent" : $"tangent {parse.CommandResult.Command.Name}";
            var error = parse.Errors[0];
            string message = string.Join(
                ' ',
                error.Message.Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries)
            );
            message = System.Text.RegularExpressions.Regex.Replace(
                message,
                @"as expected type '([\w.\[\]]+)'\.?",
                m => "as " + TypeInWords(m.Groups[1].Value)
            );
            string? option = error.SymbolResult switch
            {
                System.CommandLine.Parsing.OptionResult o => o.Option.Name,
                System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } =>
                    o.Option.Name,
                _ => null,
            };
            string prefix =
                option is not null && !message.Contains(option, StringComparison.Ordinal) ? $"{option}: " : "";
            stderr.WriteLine($"tangent: {prefix}{message} (see '{command} --help')");
            return Usage;
        }
        return parse.Invoke(
            new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }
        );
    }

    /// <summary>Every command of <c>tangent</c>, in the order of its help.</summary>
    public static IReadOnlyList<Command> Commands(TextWriter stdout, TextWriter stderr) =>
        [
            DemoCommand.Create(stdout, stderr),
            NtkCommand.Create(stdout, stderr),
            KernelCommand.Create(stdout, stderr),
            TrainCommand.Train(stdout, stderr),
            TrainCommand.Analyze(stdout, stderr),
            StudyCommand.Create(stdout, stderr),
            SweepCommand.Create(stdout, stderr),
            RunsCommand.Runs(stdout, stderr),
            RunsCommand.Compare(stdout, stderr),
            GrokkingCommand.Create(stdout, stderr),
            InfoCommand(stdout),
        ];

    /// <summary>
    /// Runs <paramref name="work"/> with a cancellation token tripped by Ctrl+C or SIGTERM, and turns exceptions into
    /// one-line messages and exit codes.
    /// </summary>
    public static int Guard(ParseResult parse, TextWriter stderr, Func<CancellationToken, int> work)
    {
        using var cts = new CancellationTokenSource();
        int signals = 0;
        void Cancel(PosixSignalContext context)
        {
            // The first signal asks the work to stop at its next safe point (between training steps, kernel blocks,
            // path segments); a second one takes the default action and ends the process at once, even inside one long
            // LibTorch call. Either way the run directory holds only complete files and reads as failed (an ended
            // process's "running" run is recognised by its dead pid).
            if (Interlocked.Increment(ref signals) > 1)
                return;
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
            stderr.WriteLine(
                "tangent: interrupted; nothing half-written is left (an unfinished run directory reads as failed; a "
                    + "training run resumes with tangent train --resume RUN)"
            );
            return Interrupted;
        }
        catch (Exception e)
        {
            stderr.WriteLine(verbose ? $"tangent: {e}" : $"tangent: {OneLine(e)} (rerun with --verbose for details)");
            return Failed;
        }
    }

    private static string TypeInWords(string type) =>
        type switch
        {
            "System.Int32" or "System.Int64" => "an integer",
            "System.Double" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            "System.Int32[]" or "System.Int64[]" => "integers",
            _ => "the option's type",
        };

    /// <summary>
    /// The innermost meaningful message of <paramref name="e"/>, on one line: LibTorch's C++ frames and source
    /// locations are cut, and an allocation failure says how much was asked for and what sets it.
    /// </summary>
    public static string OneLine(Exception e)
    {
        while (
            e is TypeInitializationException or System.Reflection.TargetInvocationException or AggregateException
            && e.InnerException is not null
        )
            e = e.InnerException;
        string message = e.Message;
        var allocation = System.Text.RegularExpressions.Regex.Match(message, @"tried to allocate (\d+) bytes");
        if (e is OutOfMemoryException || allocation.Success)
        {
            string size =
                allocation.Success
                && double.TryParse(
                    allocation.Groups[1].Value,
                    System.Globalization.CultureInfo.InvariantCulture,
                    out double bytes
                )
                    ? MemoryBudget.Format(bytes)
                    : "memory";
            return $"out of memory: could not allocate {size} (of {MemoryBudget.Format(MemoryBudget.Available())} "
                + "available); lower the sizes the command was given (widths, sample counts, rows of the inputs)";
        }
        // LibTorch appends "Exception raised from f at file:line (most recent call first):" and C++ frames.
        int cut = message.IndexOf("Exception raised from", StringComparison.Ordinal);
        if (cut > 0)
            message = message[..cut];
        int frames = message.IndexOf("frame #", StringComparison.Ordinal);
        if (frames > 0)
            message = message[..frames];
        return message.ReplaceLineEndings(" ").Trim();
    }

    private static Command InfoCommand(TextWriter stdout)
    {
        var info = new Command(
            "info",
            "Print Tangent, TorchSharp and LibTorch versions and check that the tensor engine loads and computes"
        );
        info.SetAction(parse =>
            Guard(
                parse,
                Console.Error,
                _ =>
                {
                    stdout.WriteLine(
                        $"tangent    {TorchRuntime.TangentVersion}{(TorchRuntime.GitCommit is { } c ? $" ({c})" : "")}"
                    );
                    stdout.WriteLine($"torchsharp {TorchRuntime.TorchSharpVersion}");
                    stdout.WriteLine($"libtorch   {TorchRuntime.LibTorchVersion}");
                    stdout.WriteLine($"threads    {TorchRuntime.Threads}");
                    stdout.WriteLine($"self-check {TorchSelfCheck.Run()}");
                    stdout.WriteLine(
                        $"mkl paths  {Tangent.Native.MklDispatch.VendorCheckAnswer()} (TANGENT_MKL_ANY_CPU=1 "
                            + "takes the Intel paths on any CPU)"
                    );
                    return Ok;
                }
            )
        );
        return info;
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var output = parseResult.InvocationConfiguration.Output;
            string commit = TorchRuntime.GitCommit is { } c ? $" ({c[..Math.Min(12, c.Length)]})" : "";
            output.WriteLine($"tangent {TorchRuntime.TangentVersion}{commit}");
            return Ok;
        }
    }
}
