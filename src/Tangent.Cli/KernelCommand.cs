using System.CommandLine;
using Tangent.Commands;
using Tangent.Kernels;
using Tangent.Store;
using Tangent.Theory;

namespace Tangent.Cli;

/// <summary><c>tangent kernel</c>: infinite-width NNGP and NTK, and finite networks against them.</summary>
public static class KernelCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string>("--config")
        {
            Description = "JSON model config (docs/config.md): widths give the depth",
            Required = true,
            HelpName = "FILE",
        };
        var inputs = new Option<string>("--inputs")
        {
            Description = "Inputs X, a .npy array [n, d]",
            Required = true,
            HelpName = "X.npy",
        };
        var query = new Option<string?>("--query")
        {
            Description = "Query inputs Q, a .npy array [m, d]: also writes NNGP_QS and NTK_QS",
            HelpName = "Q.npy",
        };
        var diagonal = new Option<bool>("--diagonal")
        {
            Description = "Only the diagonals K(x, x), without the n×n matrices",
        };
        var degree = new Option<int>("--quadrature-degree")
        {
            Description = "Gauss–Hermite degree for activations without a closed form (tanh, gelu, sigmoid, sin)",
            DefaultValueFactory = _ => 64,
        };
        var widths = new Option<int[]>("--finite-widths")
        {
            Description = "Hidden widths of finite networks to compare with the limit, e.g. 64 256 1024",
            AllowMultipleArgumentsPerToken = true,
        };
        var draws = new Option<int>("--draws")
        {
            Description = "Random networks per width",
            DefaultValueFactory = _ => 3,
        };
        var targets = new Option<string?>("--targets")
        {
            Description = "Targets Y (.npy [n, p]): also compare after gradient descent on them",
            HelpName = "Y.npy",
        };
        var steps = new Option<int>("--train-steps")
        {
            Description = "Gradient-descent steps for the after-training comparison",
            DefaultValueFactory = _ => 500,
        };
        var lr = new Option<double>("--train-lr")
        {
            Description = "Learning rate of that training (½-MSE)",
            DefaultValueFactory = _ => 0.5,
        };
        var threads = CliRun.ThreadsOption();
        var output = CliRun.OutOption("kernel");
        var force = CliRun.ForceOption();
        var skipMemory = CliRun.SkipMemoryCheckOption();
        var command = new Command(
            "kernel",
            "Infinite-width NNGP and NTK of a configured MLP (closed forms or Gauss–Hermite quadrature); writes "
                + "arrays/NNGP.npy and arrays/NTK.npy, and how far finite widths are from the limit."
        )
        {
            config,
            inputs,
            query,
            diagonal,
            degree,
            widths,
            draws,
            targets,
            steps,
            lr,
            threads,
            output,
            force,
            skipMemory,
        };
        command.SetAction(parse =>
            TangentCli.Guard(
                parse,
                stderr,
                cancel =>
                {
                    CliRun.SetThreads(parse.GetValue(threads));
                    var settings = new InfiniteWidthRunConfig
                    {
                        Config = NtkConfigFile.Load(parse.GetValue(config)!),
                        Inputs = parse.GetValue(inputs)!,
                        Query = parse.GetValue(query),
                        Diagonal = parse.GetValue(diagonal),
                        QuadratureDegree = parse.GetValue(degree),
                        FiniteWidths = parse.GetValue(widths) ?? [],
                        Draws = parse.GetValue(draws),
                        Targets = parse.GetValue(targets),
                        TrainSteps = parse.GetValue(steps),
                        TrainLr = parse.GetValue(lr),
                    }.Validate();
                    var (n, m) = CliRun.CheckInputs(
                        settings.Inputs,
                        settings.Query,
                        settings.Config.Model.Widths[0],
                        settings.MemoryEstimate,
                        parse.GetValue(skipMemory)
                    );
                    if (settings.Targets is { } y)
                        NpyInputs.Check(y, "--targets", settings.Config.Model.Widths[^1], rows: n);
                    return CliRun.Execute(
                        "kernel",
                        settings,
                        settings.Config.Seed,
                        parse.GetValue(output),
                        parse.GetValue(force),
                        stdout,
                        (run, progress) =>
                        {
                            var summary = InfiniteWidthRun
                                .Run(settings, run, progress, cancel)
                                .ToDictionary(kv => kv.Key, kv => kv.Value);
                            var lines = new List<string>
                            {
                                $"infinite-width kernels of {settings.Config.Model.Activation} depth "
                                    + $"{settings.Config.Model.Widths.Count - 2} on {summary["samples"]} inputs",
                            };
                            if (summary.TryGetValue("distance_at_init_widest", out var d))
                                lines.Add(
                                    $"finite width {settings.FiniteWidths[^1]}: relative distance {d:G3} at init"
                                        + (
                                            summary.TryGetValue("distance_width_exponent", out var e)
                                                ? $", width exponent {e:F2} (−0.5 expected)"
                                                : ""
                                        )
                                );
                            return lines;
                        }
                    );
                }
            )
        );
        return command;
    }
}
