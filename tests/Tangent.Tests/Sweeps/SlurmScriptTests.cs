using Tangent.Sweeps;

namespace Tangent.Tests.Sweeps;

/// <summary>The sbatch script and the parsing of squeue/sacct lines, against the forms Slurm documents
/// (sbatch --array ranges and %C; squeue -r -o "%i|%T|%r" prints JOB_TASK per array element).</summary>
public sealed class SlurmScriptTests
{
    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5 }, null, "0-5")]
    [InlineData(new[] { 0, 1, 2, 3, 5, 7, 8 }, 2, "0-3,5,7-8%2")]
    [InlineData(new[] { 9, 3, 4 }, 1, "3-4,9%1")]
    [InlineData(new[] { 4 }, null, "4")]
    public void ArraySpecsAreRangesWithTheParallelLimit(int[] indices, int? parallel, string expected) =>
        Assert.Equal(expected, SlurmScript.ArraySpec(indices, parallel));

    [Fact]
    public void TheScriptRunsOneTaskPerArrayIndexWithItsCpus()
    {
        var self = new SweepTaskCommand(["/opt/my tangent/tangent"]);
        string text = SlurmScript.Text(
            self,
            "/shared/sweep",
            [0, 1, 2, 5],
            new SlurmOptions
            {
                Partition = "cpu",
                Time = "1:00:00",
                CpusPerTask = 4,
                Memory = "8G",
                MaxParallel = 3,
                Extra = ["--qos=short", "#SBATCH --account=lab"],
            }
        );
        var lines = text.Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains("#SBATCH --array=0-2,5%3", lines);
        Assert.Contains("#SBATCH --output=/shared/sweep/slurm/logs/%A_%a.out", lines);
        Assert.Contains("#SBATCH --error=/shared/sweep/slurm/logs/%A_%a.err", lines);
        Assert.Contains("#SBATCH --cpus-per-task=4", lines);
        Assert.Contains("#SBATCH --partition=cpu", lines);
        Assert.Contains("#SBATCH --time=1:00:00", lines);
        Assert.Contains("#SBATCH --mem=8G", lines);
        Assert.Contains("#SBATCH --qos=short", lines);
        Assert.Contains("#SBATCH --account=lab", lines);
        Assert.Contains(
            "exec '/opt/my tangent/tangent' 'sweep' 'task' '/shared/sweep' '--index' \"$SLURM_ARRAY_TASK_ID\" "
                + "'--threads' \"${SLURM_CPUS_PER_TASK:-1}\"",
            lines
        );
        // Every #SBATCH line comes before the first command (sbatch stops reading options there).
        int firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        Assert.True(Array.FindLastIndex(lines, l => l.StartsWith("#SBATCH")) < firstCommand);
    }

    [Fact]
    public void SqueueAndSacctLinesParseByArrayIndex()
    {
        var tasks = SlurmClient
            .Parse("12_0|RUNNING|None\n12_3|PENDING|JobArrayTaskLimit\n12_4|CANCELLED by 0\n12|RUNNING|None\n")
            .ToDictionary(t => t.Index, t => t.Task);
        Assert.Equal(3, tasks.Count);
        Assert.True(tasks[0].IsRunning);
        Assert.True(tasks[3].IsQueued);
        Assert.Equal("JobArrayTaskLimit", tasks[3].Reason);
        Assert.Equal("CANCELLED", tasks[4].State);
        Assert.False(tasks[4].IsActive);
    }

    [Fact]
    public void AJobNameIsStablePerSweepDirectory()
    {
        Assert.Equal(SlurmScript.JobName("/a/b"), SlurmScript.JobName("/a/b/"[..^1]));
        Assert.NotEqual(SlurmScript.JobName("/a/b"), SlurmScript.JobName("/a/c"));
    }
}
