// A user's program: an eNTK by two methods and one path analysis of a short training run, through Tangent's public
// API only. Exits 1 when a check fails, so CI notices.
using Tangent.Channel;
using Tangent.Commands;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Runs;
using Tangent.Store;
using static TorchSharp.torch;

int failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    if (!ok)
        failures++;
}

// 1. The eNTK of a small MLP: the layer rules against the Jacobian contraction (THEORY §1, K = J M Jᵀ).
var generator = new Generator().manual_seed(0);
using var model = new Mlp(new MlpConfig { Widths = [3, 64, 1] }, generator);
using var x = randn(new long[] { 20, 3 }, dtype: ScalarType.Float64, generator: generator);
using var q = randn(new long[] { 7, 3 }, dtype: ScalarType.Float64, generator: generator);
using var rules = Ntk.Compute(model, x, q);
using var jacobian = Ntk.Compute(model, x, q, new NtkOptions { Method = NtkMethod.JacobianContraction });
double gap = (rules.Kss - jacobian.Kss).abs().max().item<double>() / jacobian.Kss.abs().max().item<double>();
Check(gap < 1e-10, $"eNTK K_SS 20x20: layer rules = Jacobian contraction to {gap:E1} (relative to max |K|)");
using var split = SpectralPartition.Of(rules.Kss, relativeThreshold: 0.01);
Check(
    split.ChannelSize is > 0 and < 20,
    $"spectral partition at tau = 0.01: channel {split.ChannelSize} of 20 directions"
);

// 2. One path analysis: a lazy (wide, small-step) run recorded and analyzed by the runner.
string dir = Path.Combine(Path.GetTempPath(), $"tangent-consumer-{Environment.ProcessId}");
string configPath = Path.Combine(dir, "config.json");
Directory.CreateDirectory(dir);
File.WriteAllText(
    configPath,
    """
    {
      "task": { "kind": "teacher", "train_samples": 30, "test_samples": 40, "dimension": 4, "outputs": 1,
                "teacher_width": 8, "noise_std": 0.1 },
      "model": { "widths": [4, 1024, 1], "activation": "relu", "parameterization": "ntk" },
      "optimizer": { "kind": "gd", "lr": 0.2 },
      "loss": "half_mse",
      "steps": 300,
      "log_every": 30,
      "seed": 0,
      "record": { "schedule": "log", "count": 12 }
    }
    """
);
var config = TrainRun.Load(configPath);
var run = RunDirectory.Create(Path.Combine(dir, "run"), "train", config, config.Seed, overwrite: true);
Runner.Run(new RunSpec { Config = config }, run);
run.Complete();
var (paths, _) = AnalyzeRun.Run(run.Path, new AnalyzeOptions());
Console.WriteLine(
    $"path analysis {paths.Start}..{paths.End}: channel {paths.ChannelDim} directions, "
        + $"path coupling r = {paths.PathCouplingCorrelation:F6}, relative error {paths.PathCouplingRelativeError:E2}"
);
Check(paths.PathCouplingCorrelation > 0.99, "path coupling holds on a lazy run (r > 0.99)");
Check(paths.DirectTrainRelativeError < 0.05, $"train motion -D g(s) = dU_S to {paths.DirectTrainRelativeError:E2}");
Directory.Delete(dir, recursive: true);
return failures == 0 ? 0 : 1;
