using System.CommandLine;
using Tangent.Commands;
using Tangent.Demo;

namespace Tangent.Cli;

/// <summary><c>tangent demo</c>: the signal-channel demo, every setting an option.</summary>
public static class DemoCommand
{
    /// <summary>Builds the command; defaults come from <see cref="DemoConfig"/>.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var d = new DemoConfig();
        var width = Opt("--width", "Hidden width N of the ReLU network (output scaled by 1/√N)", d.Width);
        var lr = Opt("--lr", "Gradient-descent learning rate η on ½-MSE", d.LearningRate);
        var steps = Opt("--steps", "Full-batch gradient-descent steps", d.Steps);
        var train = Opt("--train-points", "Training points, evenly spaced on [x-min, x-max]", d.TrainPoints);
        var test = Opt("--test-points", "Clean test points, at cell midpoints of [x-min, x-max]", d.TestPoints);
        var xMin = Opt("--x-min", "Left end of the input interval", d.XMin);
        var xMax = Opt("--x-max", "Right end of the input interval", d.XMax);
        var amplitude = Opt("--amplitude", "Target amplitude a in a·sin(ωx)", d.Amplitude);
        var frequency = Opt("--frequency", "Target frequency ω in a·sin(ωx)", d.Frequency);
        var noise = Opt("--noise-std", "Std of the Gaussian label noise added to training targets", d.NoiseStd);
        var checkpoints = Opt(
            "--checkpoints",
            "Log-spaced eNTK checkpoints in [1, steps] (step 0 is added)",
            d.Checkpoints
        );
        var threshold = Opt(
            "--channel-threshold",
            "Channel threshold τ: eigenvalues ≥ τ·λ_max form the signal channel",
            d.ChannelThreshold
        );
        var logEvery = Opt("--log-every", "Steps between rows of metrics.csv", d.LogEvery);
        var seed = Opt("--seed", "Random seed (label noise: seed, initialization: seed + 1)", d.Seed);
        var threads = Opt("--threads", "LibTorch intra-op threads (0: LibTorch's default)", 0);
        var output = CliRun.OutOption("demo");
        var force = CliRun.ForceOption();
        var skipMemory = CliRun.SkipMemoryCheckOption();

        var command = new Command(
            "demo",
            "Train a small ReLU network on a noisy 1-D sine and watch its eNTK split the outputs into a signal "
                + "channel and a reservoir.\n"
                + "Writes run.json, metrics.csv, summary.json, arrays/*.npy, figures/*.svg|png and report.html."
        )
        {
            width,
            lr,
            steps,
            train,
            test,
            xMin,
            xMax,
            amplitude,
            frequency,
            noise,
            checkpoints,
            threshold,
            logEvery,
            seed,
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
                    var config = new DemoConfig
                    {
                        Width = parse.GetValue(width),
                        LearningRate = parse.GetValue(lr),
                        Steps = parse.GetValue(steps),
                        TrainPoints = parse.GetValue(train),
                        TestPoints = parse.GetValue(test),
                        XMin = parse.GetValue(xMin),
                        XMax = parse.GetValue(xMax),
                        Amplitude = parse.GetValue(amplitude),
                        Frequency = parse.GetValue(frequency),
                        NoiseStd = parse.GetValue(noise),
                        Checkpoints = parse.GetValue(checkpoints),
                        ChannelThreshold = parse.GetValue(threshold),
                        LogEvery = parse.GetValue(logEvery),
                        Seed = parse.GetValue(seed),
                    }.Validate();
                    CliRun.SetThreads(parse.GetValue(threads));
                    MemoryBudget.Require(config.MemoryEstimate(), parse.GetValue(skipMemory));
                    return CliRun.Execute(
                        "demo",
                        config,
                        config.Seed,
                        parse.GetValue(output),
                        parse.GetValue(force),
                        stdout,
                        (run, progress) =>
                        {
                            var result = SignalChannelDemo.Run(config, run, progress, cancel);
                            var last = result.Checkpoints[^1];
                            return
                            [
                                $"train MSE {last.TrainMse:E3}  test MSE {last.TestMse:E3}  (label-noise variance "
                                    + $"{config.NoiseStd * config.NoiseStd:E3})",
                                $"channel: {last.ChannelSize} of {last.Eigenvalues.Length} directions; residual in "
                                    + $"channel {last.ChannelShareResidual:P1}; "
                                    + $"label noise in reservoir {last.ReservoirShareLabelNoise:P1}",
                            ];
                        }
                    );
                }
            )
        );
        return command;
    }

    private static Option<T> Opt<T>(string name, string description, T defaultValue) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue };
}
