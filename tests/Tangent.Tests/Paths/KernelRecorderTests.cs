using Tangent.Commands;
using Tangent.Data;
using Tangent.Kernels;
using Tangent.Models;
using Tangent.Paths;
using Tangent.Store;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Paths;

/// <summary>With record.preconditioned false an Adam run's snapshots are the plain eNTK JJᵀ of the parameters at that
/// step.</summary>
public class KernelRecorderTests
{
    [Fact]
    public void UnpreconditionedSnapshotIsThePlainKernelOfTheFinalParameters()
    {
        using var dir = new TempDir();
        double Difference(bool preconditioned)
        {
            var config = new TrainConfig
            {
                Task = new TaskConfig
                {
                    Kind = "teacher",
                    TrainSamples = 12,
                    TestSamples = 5,
                    Dimension = 3,
                },
                Model = new MlpConfig
                {
                    Widths = [3, 16, 1],
                    WeightStd = Math.Sqrt(2),
                    BiasStd = 0.1,
                },
                Optimizer = new OptimizerConfig { Kind = OptimizerKind.Adam, Lr = 0.01 },
                Steps = 3,
                RiskEstimate = false,
                Record = new RecordConfig
                {
                    Schedule = "list",
                    Steps = [0, 3],
                    Preconditioned = preconditioned,
                },
            };
            string path = dir.File(preconditioned ? "pre" : "plain");
            var run = RunDirectory.Create(path, "train", config, 0, overwrite: false);
            TrainRun.Run(config, run);
            run.Complete();
            using var scope = NewDisposeScope();
            using var snapshot = Snapshot.Read(path, 3, 0.01);
            var model = new Mlp(config.Model, new Generator(1));
            ParameterFiles.Load(model, Path.Combine(path, "params"));
            using var task = config.Task.Create(0);
            using var plain = Ntk.Compute(model, task.TrainX);
            return (snapshot.Kss - plain.Kss).abs().max().item<double>() / plain.Kss.abs().max().item<double>();
        }
        Assert.True(Difference(false) < 1e-10);
        Assert.True(Difference(true) > 1e-2); // Adam's 1/(√v̂ + ε) is far from uniform after three steps
    }
}
