using System.CommandLine;
using Tangent.Commands;
using Tangent.Paths;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Training;

namespace Tangent.Cli;

/// <summary><c>tangent train</c> and <c>tangent analyze</c>: record a run's kernels, then compute its path
/// operators.</summary>
public static class TrainCommand
{
    /// <summary>Builds <c>tangent train</c>.</summary>
    public static Command Train(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string?>("--config")
        {
            Description = "JSON train config (docs/config.md), e.g. docs/examples/train-teacher.json",
            HelpName = "FILE",
        };
        var resume = new Option<string?>("--resume")
        {
            Description =
                "Continue an interrupted run from its checkpoint (needs checkpoint_every > 0); it ends bit for bit "
                + "where an uninterrupted run would",
            HelpName = "RUN",
        };
        var init = new Option<string?>("--init")
        {
            Description =
                "Start from these weights instead of the seeded initialization: a directory of <key>.npy files, a "
                + "torch.save state dict or a .safetensors file (recorded as the config's init)",
            HelpName = "PATH",
        };
        var threads = CliRun.ThreadsOption();
        var output = CliRun.OutOption("train");
        var force = CliRun.ForceOption();
        var skipMemory = CliRun.SkipMemoryCheckOption();
        var command = new Command(
            "train",
            "Train a model on a synthetic task or Fashion-MNIST (docs/config.md); with a \"record\" section, take "
                + "eNTK snapshots for 'tangent analyze'."
        )
        {
            config,
            resume,
            init,
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
                    string? resumePath = parse.GetValue(resume),
                        configPath = parse.GetValue(config);
                    ConfigException.Require(
                        (resumePath is null) != (configPath is null),
                        resumePath is null ? "--config" : "--resume",
                        resumePath is null ? "is required" : "cannot be combined with --config",
                        "pass --config FILE for a new run or --resume RUN to continue one"
                    );
                    if (resumePath is not null)
                    {
                        ConfigException.Require(
                            parse.GetValue(output) is null && parse.GetValue(init) is null,
                            parse.GetValue(output) is null ? "--init" : "--out",
                            "cannot be combined with --resume",
                            "a run resumes in its own directory from its checkpoint; leave it out"
                        );
                        var (before, _) = TrainRun.CheckResumable(resumePath);
                        if (before.Threads != Tangent.Native.TorchRuntime.Threads)
                            stderr.WriteLine(
                                $"tangent: warning: the run used {before.Threads} threads and this resume uses "
                                    + $"{Tangent.Native.TorchRuntime.Threads}; bit-for-bit resume holds only for "
                                    + "the same count "
                                    + $"(pass --threads {before.Threads})"
                            );
                        var (resumed, summaryList) = ConsoleProgress.Run(
                            "train",
                            stdout,
                            progress => TrainRun.Resume(resumePath, progress, cancel)
                        );
                        var s = summaryList.ToDictionary(kv => kv.Key, kv => kv.Value);
                        stdout.WriteLine(
                            $"resumed and finished: train loss {s["final_train_loss"]:G4}  test loss "
                                + $"{s["final_test_loss"]:G4}"
                        );
                        stdout.WriteLine($"wrote {resumed.Path} (report: {Path.Combine(resumed.Path, "report.html")})");
                        return TangentCli.Ok;
                    }
                    var settings = TrainRun.Load(configPath!);
                    if (parse.GetValue(init) is { } weights)
                        settings = settings with { Init = Path.GetFullPath(weights) };
                    MemoryBudget.Require(settings.MemoryEstimate(), parse.GetValue(skipMemory));
                    return CliRun.Execute(
                        "train",
                        settings,
                        settings.Seed,
                        parse.GetValue(output),
                        parse.GetValue(force),
                        stdout,
                        (run, progress) =>
                        {
                            var summary = TrainRun
                                .Run(settings, run, progress, cancel)
                                .ToDictionary(kv => kv.Key, kv => kv.Value);
                            return
                            [
                                $"train loss {summary["final_train_loss"]:G4}  test loss "
                                    + $"{summary["final_test_loss"]:G4}  snapshots {summary["snapshots"]}",
                            ];
                        }
                    );
                }
            )
        );
        return command;
    }

    /// <summary>Builds <c>tangent analyze</c>.</summary>
    public static Command Analyze(TextWriter stdout, TextWriter stderr)
    {
        var run = new Argument<string>("RUN")
        {
            Description = "A finished run directory of 'tangent train' with kernel snapshots",
        };
        var window = new Option<string?>("--window")
        {
            Description = "Window s:T of snapshot steps (default: first:last)",
            HelpName = "s:T",
        };
        var threshold = new Option<string>("--threshold")
        {
            Description =
                "Channel threshold on W_S eigenvalues: 'lambda-star' ((n/2)(1 − e⁻²): ½-MSE modes with "
                + "ηλT/n ≥ 1, "
                + "i.e. relaxed by e⁻¹ or more), 'rel:τ' (τ·λ_max) or 'abs:v'",
            DefaultValueFactory = _ => "lambda-star",
        };
        var analyzeSkipMemory = CliRun.SkipMemoryCheckOption();
        var cutoff = new Option<double>("--pinv-cutoff")
        {
            Description = "Relative singular-value cutoff of D⁺ in the path-coupling prediction",
            DefaultValueFactory = _ => 1e-12,
        };
        var momentumFree = new Option<bool>("--momentum-free")
        {
            Description =
                "Use the momentum-free operators (w ← w − ηMJᵀg) even when the run's optimizer has momentum "
                + "(default: momentum-aware, from the recorded momentum images)",
        };
        var rank = new Option<string?>("--rank")
        {
            Description =
                "Factored operators in O(N·R) memory from the top-R eigenpairs of each recorded kernel, with a "
                + "certificate; 'auto' picks dense up to "
                + $"{AnalyzeOptions.DenseLimit} operator rows and rank {AnalyzeOptions.AutoRankValue} above. Runs "
                + "recorded with record.rank (Nyström) are always factored",
            HelpName = "R|auto",
        };
        var flowCutoff = new Option<double>("--flow-cutoff")
        {
            Description =
                "Factored operators: keep the common-subspace directions whose time-integrated kernel flow is at "
                + "least this many e-folds over the window (0: the whole span of the snapshots)",
            DefaultValueFactory = _ => AnalyzeOptions.DefaultFlowCutoffValue,
        };
        var threads = CliRun.ThreadsOption();
        var command = new Command(
            "analyze",
            "Compute the path operators W_S, D, G_Q of a recorded run and check the theory's identities and "
                + "predictions; writes RUN/analysis/."
        )
        {
            run,
            window,
            threshold,
            cutoff,
            momentumFree,
            rank,
            flowCutoff,
            analyzeSkipMemory,
            threads,
        };
        command.SetAction(parse =>
            TangentCli.Guard(
                parse,
                stderr,
                cancel =>
                {
                    CliRun.SetThreads(parse.GetValue(threads));
                    var options = new AnalyzeOptions
                    {
                        PinvCutoff = parse.GetValue(cutoff),
                        MomentumFree = parse.GetValue(momentumFree),
                        SkipMemoryCheck = parse.GetValue(analyzeSkipMemory),
                        FlowCutoff = parse.GetValue(flowCutoff),
                    };
                    ConfigException.Require(
                        options.FlowCutoff >= 0 && options.FlowCutoff < 1,
                        "--flow-cutoff",
                        $"must be in [0, 1), got {options.FlowCutoff}",
                        "pass e.g. 0.01, or 0 to keep every direction"
                    );
                    ConfigException.Require(
                        options.PinvCutoff > 0 && options.PinvCutoff < 1,
                        "--pinv-cutoff",
                        $"must be in (0, 1), got {options.PinvCutoff}",
                        "pass e.g. 1e-12"
                    );
                    if (parse.GetValue(rank) is { } rankText)
                        options =
                            rankText == "auto" ? options with { AutoRank = true }
                            : int.TryParse(rankText, out int r) && r >= 1 ? options with { Rank = r }
                            : throw new ConfigException(
                                "--rank",
                                $"'{rankText}' is not a rank",
                                "pass a positive integer such as 256, or auto"
                            );
                    if (parse.GetValue(window) is { } w)
                    {
                        var parts = w.Split(':');
                        ConfigException.Require(
                            parts.Length == 2 && int.TryParse(parts[0], out _) && int.TryParse(parts[1], out _),
                            "--window",
                            $"'{w}' is not s:T",
                            "pass two snapshot steps such as 0:1000"
                        );
                        options = options with { Start = int.Parse(parts[0]), End = int.Parse(parts[1]) };
                    }
                    string t = parse.GetValue(threshold)!;
                    options = t switch
                    {
                        "lambda-star" => options with { Threshold = ThresholdKind.LambdaStar },
                        _ when t.StartsWith("rel:")
                                && double.TryParse(t[4..], System.Globalization.CultureInfo.InvariantCulture, out var v)
                                && v > 0
                                && v < 1 => options with
                        {
                            Threshold = ThresholdKind.Relative,
                            ThresholdValue = v,
                        },
                        _ when t.StartsWith("abs:")
                                && double.TryParse(t[4..], System.Globalization.CultureInfo.InvariantCulture, out var v)
                                && v >= 0 => options with
                        {
                            Threshold = ThresholdKind.Absolute,
                            ThresholdValue = v,
                        },
                        _ => throw new ConfigException(
                            "--threshold",
                            $"'{t}' is not a threshold (rel:τ needs 0 < τ < 1, abs:v needs v ≥ 0)",
                            "pass rel:1e-3, lambda-star or abs:0.5"
                        ),
                    };
                    string path = parse.GetValue(run)!;
                    var (result, summary) = ConsoleProgress.Run(
                        "analyze",
                        stdout,
                        progress => AnalyzeRun.Run(path, options, progress, cancel)
                    );
                    stdout.WriteLine(
                        $"window {result.Start}:{result.End}  channel {result.ChannelDim} of "
                            + $"{result.GramianEigenvalues.Length}  kernel drift {result.KernelDriftFrobenius:G3}"
                    );
                    stdout.WriteLine(
                        $"path coupling: corr {HtmlReport.Number(result.PathCouplingCorrelation)}  rel. error "
                            + $"{result.PathCouplingRelativeError:G3}"
                    );
                    stdout.WriteLine(
                        $"loss identity: measured {result.LossDecrease:G6}  flow {result.LossPredictedFlow:G6}  "
                            + $"discrete {result.LossPredictedDiscrete:G6}"
                    );
                    if (result.LowRank is { } lowRank)
                        stdout.WriteLine(lowRank.Text);
                    stdout.WriteLine(
                        $"dynamics: {result.Dynamics}  direct motion checks: train "
                            + $"{result.DirectTrainRelativeError:G3}  test {result.DirectTestRelativeError:G3}"
                    );
                    foreach (var warning in result.Approximations.Where(a => a.StartsWith("WARNING")))
                        stderr.WriteLine(warning);
                    string written = Path.Combine(
                        path,
                        (string)summary.First(kv => kv.Key == "analysis_directory").Value!
                    );
                    stdout.WriteLine($"wrote {written} (report: {Path.Combine(written, "report.html")})");
                    return TangentCli.Ok;
                }
            )
        );
        return command;
    }
}
