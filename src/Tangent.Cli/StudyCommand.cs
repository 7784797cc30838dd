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
            Description = "quick (under 3 minutes on 2 cores) or full (under 30 minutes)",
            DefaultValueFactory = _ => "quick",
        };
        preset.AcceptOnlyFromAmong("quick", "full");
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
                        (run, progress) =>
                        {
                            var outcome = StudyCatalog.Execute(chosen, config, run, progress, cancel);
                            return outcome.Verdicts.Select(v =>
                                $"{(v.Holds switch { true => "holds ", false => "FAILS ", null => "undec." })} "
                                + $"{v.Name}: {v.Measured}"
                            );
                        }
                    );
                }
            )
        );
        return command;
    }
}
