using System.CommandLine;
using Tangent.Commands;
using Tangent.Kernels;

namespace Tangent.Cli;

/// <summary><c>tangent ntk</c>: the empirical NTK of a configured model on .npy inputs.</summary>
public static class NtkCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string>("--config")
        {
            Description = "JSON model config (docs/config.md), e.g. docs/examples/mlp.json",
            Required = true,
            HelpName = "FILE",
        };
        var parameters = new Option<string?>("--params")
        {
            Description =
                "Weights: a directory of <state-dict key>.npy files, a torch.save state dict or a .safetensors file "
                + "(default: the seeded initialization, or a TorchScript file's own weights)",
            HelpName = "PATH",
        };
        var inputs = new Option<string>("--inputs")
        {
            Description = "Training inputs X_S, a .npy array [n, d]",
            Required = true,
            HelpName = "X.npy",
        };
        var query = new Option<string?>("--query")
        {
            Description = "Query inputs X_Q, a .npy array [m, d]: also writes K_QS",
            HelpName = "Q.npy",
        };
        var method = new Option<string>("--method")
        {
            Description =
                "rules (LayerwiseRules, fast), jacobian (JacobianContraction, reference), vector-products "
                + "(NtkVectorProducts, matrix-free)",
            DefaultValueFactory = _ => "rules",
        };
        method.AcceptOnlyFromAmong("rules", "jacobian", "vector-products");
        var traced = new Option<bool>("--traced")
        {
            Description = "Output-traced kernel Σ_c K[(i,c),(j,c)] (n×n) instead of the full (n·p)×(n·p)",
        };
        var dtype = new Option<string>("--dtype")
        {
            Description = "float64 or float32",
            DefaultValueFactory = _ => "float64",
        };
        dtype.AcceptOnlyFromAmong("float64", "float32");
        var subset = new Option<string[]>("--parameters")
        {
            Description =
                "Only these parameters (state-dict names such as layers.0.weight, or prefixes ending in '.' such as "
                + "layers.2.)",
            AllowMultipleArgumentsPerToken = true,
        };
        var rank = new Option<int?>("--rank")
        {
            Description =
                "Keep the top R eigenpairs only, by Nyström from landmarks, never forming K_SS; the summary certifies "
                + "what was kept (‖K − K̃‖₂ bounds, λ_R against the channel threshold)",
        };
        var landmarks = new Option<int?>("--landmarks")
        {
            Description = "Nyström landmark samples (default min(n, 2R + 50))",
        };
        var probes = new Option<int>("--probes")
        {
            Description = "Power iterations of the certificate's probe of ‖K − K̃‖₂ with exact K·v products (0: none)",
            DefaultValueFactory = _ => 4,
        };
        var refine = new Option<int>("--refine")
        {
            Description =
                "Refine the Nyström pairs by Q exact products (a block Krylov space, then Rayleigh–Ritz; "
                + "each about one dense kernel computation, streamed, never held; 0: none)",
        };
        var threads = CliRun.ThreadsOption();
        var output = CliRun.OutOption("ntk");
        var force = CliRun.ForceOption();
        var skipMemory = CliRun.SkipMemoryCheckOption();

        var command = new Command(
            "ntk",
            "Compute the empirical NTK K_SS (and K_QS) of a configured MLP on .npy inputs; writes arrays/K_SS.npy, "
                + "arrays/K_QS.npy and a report."
        )
        {
            config,
            parameters,
            inputs,
            query,
            method,
            traced,
            dtype,
            subset,
            rank,
            landmarks,
            probes,
            refine,
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
                    var names = parse.GetValue(subset);
                    var settings = new NtkRunConfig
                    {
                        Config = NtkConfigFile.Load(parse.GetValue(config)!),
                        Params = parse.GetValue(parameters),
                        Inputs = parse.GetValue(inputs)!,
                        Query = parse.GetValue(query),
                        Method = parse.GetValue(method) switch
                        {
                            "jacobian" => NtkMethod.JacobianContraction,
                            "vector-products" => NtkMethod.NtkVectorProducts,
                            _ => NtkMethod.LayerwiseRules,
                        },
                        Traced = parse.GetValue(traced),
                        Dtype = parse.GetValue(dtype)!,
                        Parameters = names is { Length: > 0 } ? names : null,
                        Rank = parse.GetValue(rank),
                        Landmarks = parse.GetValue(landmarks),
                        Probes = parse.GetValue(probes),
                        Refine = parse.GetValue(refine),
                    };
                    var (outputs, count) = settings.ModelShape();
                    var (n, m) = CliRun.CheckInputs(
                        settings.Inputs,
                        settings.Query,
                        settings.Config.Model.TakesShapedInputs() ? null : settings.Config.Model.Widths[0],
                        (n, m) => settings.MemoryEstimate(n, m, outputs, count),
                        parse.GetValue(skipMemory)
                    );
                    return CliRun.Execute(
                        "ntk",
                        settings,
                        settings.Config.Seed,
                        parse.GetValue(output),
                        parse.GetValue(force),
                        stdout,
                        (run, progress) =>
                        {
                            var summary = NtkRun
                                .Run(settings, run, progress, cancel)
                                .ToDictionary(kv => kv.Key, kv => kv.Value);
                            if (settings.Rank is not null)
                                return [$"{summary["certificate"]}"];
                            return
                            [
                                $"K_SS {summary["kernel_size"]}×{summary["kernel_size"]} in "
                                    + $"{summary["seconds_K_SS"]:0.000} s; λ_max {summary["lambda_max"]:G4}, "
                                    + $"effective rank {summary["effective_rank"]:G4}",
                            ];
                        }
                    );
                }
            )
        );
        return command;
    }
}
