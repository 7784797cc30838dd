using System.CommandLine;
using Tangent.Commands;
using Tangent.Studies;

namespace Tangent.Cli;

/// <summary><c>tangent grokking</c>: the optimizer benchmark on modular arithmetic.</summary>
public static class GrokkingCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var preset = new Option<string>("--preset")
        {
            Description =
                "quick (add mod 23, under 3 minutes) or full (division mod 97 at 25 %, the reported setting; tens "
                + "of minutes)",
            DefaultValueFactory = _ => "quick",
        };
        preset.AcceptOnlyFromAmong("quick", "full");
        var seeds = new Option<int?>("--seeds") { Description = "Seeds per optimizer and learning rate (default 3)" };
        var gate = new Option<string>("--gate")
        {
            Description = "SnrAdamW gate: soft (default), snr, hard or exact",
            DefaultValueFactory = _ => "soft",
        };
        gate.AcceptOnlyFromAmong("soft", "snr", "hard", "exact");
        var threads = CliRun.ThreadsOption();
        var output = CliRun.OutOption("grokking");
        var force = CliRun.ForceOption();
        var command = new Command(
            "grokking",
            "Benchmark AdamW against SnrAdamW on modular arithmetic: steps to 95 % held-out accuracy, each tuned "
                + "over the same learning rates, median over seeds."
        )
        {
            preset,
            seeds,
            gate,
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
                    CliRun.SetThreads(parse.GetValue(threads));
                    var config = GrokkingConfig.Preset(parse.GetValue(preset)!);
                    if (parse.GetValue(seeds) is { } s)
                        config = config with { Seeds = s };
                    config = config with
                    {
                        Gate = Enum.Parse<Tangent.Training.GateKind>(parse.GetValue(gate)!, ignoreCase: true),
                    };
                    config.Validate();
                    return CliRun.Execute(
                        "grokking",
                        config,
                        0,
                        parse.GetValue(output),
                        parse.GetValue(force),
                        stdout,
                        (run, progress) =>
                        {
                            var summary = GrokkingBenchmark
                                .Run(config, run, progress, cancel)
                                .ToDictionary(kv => kv.Key, kv => kv.Value);
                            return
                            [
                                $"AdamW: median {summary["adamw_median_steps"] ?? "not reached"} steps (lr "
                                    + $"{summary["adamw_best_lr"]}); SnrAdamW: median "
                                    + $"{summary["snr_adamw_median_steps"] ?? "not reached"} steps (lr "
                                    + $"{summary["snr_adamw_best_lr"]})",
                                summary["speedup_adamw_over_snr"] is double r
                                    ? $"AdamW/SnrAdamW = {r:F2}× (reported: {GrokkingBenchmark.ReportedRatio:F1}×)"
                                    : "no ratio: an optimizer did not reach the target",
                            ];
                        }
                    );
                }
            )
        );
        return command;
    }
}
