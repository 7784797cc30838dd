using System.CommandLine;
using Tangent.Commands;
using Tangent.Studies;

namespace Tangent.Cli;

/// <summary><c>tangent study NAME</c>: reproducible experiments that end in a verdict table.</summary>
public static class StudyCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string?>("NAME")
        {
            Description = "The study to run (see --list)",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var list = new Option<bool>("--list") { Description = "Describe every study and exit" };
        var preset = new Option<string>("--preset")
        {
            Description =
                "quick (under 3 minutes on 2 cores), full (under 30 minutes) or, for snr-adamw, paper "
                + "(the published budget: hours, checkpointed; continue with --resume)",
            DefaultValueFactory = _ => "quick",
        };
        preset.AcceptOnlyFromAmong("quick", "full", "paper");
        var sets = new Option<string[]>("--set")
        {
            Description = "Override a config value: --set key=value (snake_case keys as in run.json; repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var data = new Option<string?>("--data")
        {
            Description = "Directory of Fashion-MNIST IDX files (default: Debian's dataset-fashion-mnist location)",
            HelpName = "DIR",
        };
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue an unfinished study run: its recorded config, and arms already done are kept",
            HelpName = "DIR",
        };
        var threads = CliRun.ThreadsOption();
        var output = CliRun.OutOption("<study>");
        var force = CliRun.ForceOption();
        var command = new Command(
            "study",
            "Run a study: measured curves beside the theory's, and a verdict table of where the claims hold."
        )
        {
            name,
            list,
            preset,
            sets,
            data,
            resume,
            threads,
            output,
            force,
        };
        command.SetAction(parse =>
            TangentCli.Guard(
                parse,
                stderr,
                cancel =>
                {
                    if (parse.GetValue(list))
                    {
                        foreach (var s in StudyCatalog.All)
                            stdout.WriteLine($"{s.Name, -18} {s.Description}");
                        return TangentCli.Ok;
                    }
                    if (parse.GetValue(resume) is { } resumed)
                        return Resume(resumed, parse, name, sets, data, output, force, threads, stdout, cancel);
                    string study =
                        parse.GetValue(name)
                        ?? throw new ConfigException(
                            "NAME",
                            "no study named",
                            "pass one of: " + string.Join(", ", StudyCatalog.All.Select(s => s.Name))
                        );
                    CliRun.SetThreads(parse.GetValue(threads));
                    var chosen = StudyCatalog.Find(study);
                    var assignments = (parse.GetValue(sets) ?? []).ToList();
                    if (parse.GetValue(data) is { } dir)
                        assignments.Add($"data=\"{dir.Replace("\\", "\\\\").Replace("\"", "\\\"")}\"");
                    object config = StudyCatalog.Override(chosen.Preset(parse.GetValue(preset)!), assignments);
                    Seeds.CheckAll(config, "--set ");
                    return CliRun.Execute(
                        chosen.Name,
                        config,
                        0,
                        parse.GetValue(output),
                        parse.GetValue(force),
                        stdout,
                        (run, progress) => Work(chosen, config, run, progress, cancel)
                    );
                }
            )
        );
        return command;
    }

    internal static IEnumerable<string> Work(
        IStudy study,
        object config,
        Tangent.Store.RunDirectory run,
        IProgress<Tangent.ProgressReport> progress,
        CancellationToken cancel
    ) =>
        StudyCatalog
            .Execute(study, config, run, progress, cancel)
            .Verdicts.Select(v =>
                $"{(v.Holds switch { true => "holds ", false => "FAILS ", null => "undec." })} {v.Name}: {v.Measured}"
            );

    /// <summary>
    /// <c>--resume DIR</c>: reopens an unfinished study run with the config it recorded (so nothing else may be passed)
    /// and runs it again; arms whose sub-runs finished with the same config are read back, not retrained.
    /// </summary>
    private static int Resume(
        string dir,
        ParseResult parse,
        Argument<string?> name,
        Option<string[]> sets,
        Option<string?> data,
        Option<string?> output,
        Option<bool> force,
        Option<int> threads,
        TextWriter stdout,
        CancellationToken cancel
    )
    {
        ConfigException.Require(
            parse.GetValue(name) is null
                && (parse.GetValue(sets) ?? []).Length == 0
                && parse.GetValue(data) is null
                && parse.GetValue(output) is null
                && !parse.GetValue(force),
            "--resume",
            "continues the run with the config it recorded",
            "pass only --resume DIR (and --threads)"
        );
        var info = Tangent.Store.RunDirectory.Inspect(dir);
        var study =
            StudyCatalog.All.FirstOrDefault(s => s.Name == info.Command)
            ?? throw new ConfigException(
                "RUN",
                $"'{dir}' was made by 'tangent {info.Command}', not by a study",
                "resume a run of tangent study"
            );
        object config = Json.Read(study.Preset("quick").GetType(), info.Config, "RUN config ");
        CliRun.SetThreads(parse.GetValue(threads));
        var run = Tangent.Store.RunDirectory.Reopen(dir);
        return CliRun.ExecuteIn(run, study.Name, stdout, (r, progress) => Work(study, config, r, progress, cancel));
    }
}
