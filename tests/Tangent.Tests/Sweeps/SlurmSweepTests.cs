using System.Diagnostics;
using Tangent.Sweeps;

namespace Tangent.Tests.Sweeps;

/// <summary>
/// Sweeps on the real scheduler (Debian's slurm-wlm, a one-node cluster): a submitted array job runs every run and
/// its summaries equal the local executor's; a killed array task is reported by status and a re-submit completes it;
/// an option sbatch rejects comes back as one line naming sbatch.
/// </summary>
public sealed class SlurmSweepTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    private static IReadOnlyList<SweepRunStatus> Status(string sweep) =>
        SweepRunStatus.ReadAll(
            sweep,
            SweepManifest.Read(sweep),
            SlurmClient.Query(SlurmScript.JobName(sweep), SlurmJob.ReadAll(sweep).Select(j => j.JobId).ToList())
        );

    [SlurmFact]
    public void ASubmittedSweepRunsOnSlurmAndMatchesTheLocalExecutor()
    {
        using var dir = new TempDir();
        const string sweepFile = """
            {"command": "train", "config": "base.json", "grid": {"optimizer.lr": [0.1, 0.2, 0.3]}, "seeds": 2}
            """;
        string sweep = SweepFixture.Plan(dir, sweepFile);
        string output = SweepFixture.Cli(["sweep", "slurm", sweep, "--max-parallel", "2", "--submit"]);
        Assert.Contains("submitted job", output);
        SweepFixture.WaitFor(
            () => Status(sweep).All(s => s.State is SweepRunState.Done or SweepRunState.Failed),
            Patience,
            "the array job"
        );
        Assert.All(Status(sweep), s => Assert.True(s.State == SweepRunState.Done, s.Reason));
        Assert.Contains("6 runs: 6 done", SweepFixture.Cli(["sweep", "collect", sweep]));
        Assert.Contains("nothing to submit", SweepFixture.Cli(["sweep", "slurm", sweep, "--submit"]));

        // The same sweep, planned elsewhere and run by the local executor with one thread per run, as on Slurm.
        using var local = new TempDir();
        string here = SweepFixture.Plan(local, sweepFile);
        SweepFixture.Cli(["sweep", "run", here, "--jobs", "2", "--threads", "1"]);
        var manifest = SweepManifest.Read(sweep);
        Assert.Equal(manifest.Runs.Select(r => r.Id), SweepManifest.Read(here).Runs.Select(r => r.Id));
        foreach (var run in manifest.Runs)
            Assert.Equal(
                SweepFixture.SummaryWithoutTimes(SweepManifest.RunPath(sweep, run)),
                SweepFixture.SummaryWithoutTimes(SweepManifest.RunPath(here, run))
            );
    }

    [SlurmFact]
    public void AKilledArrayTaskIsReportedAndAResubmitCompletesIt()
    {
        using var dir = new TempDir();
        string sweep = SweepFixture.Plan(
            dir,
            """
            {"command": "train", "config": "base.json", "set": {"steps": 6000, "checkpoint_every": 200},
             "grid": {"optimizer.lr": [0.1, 0.2]}}
            """
        );
        SweepFixture.Cli(["sweep", "slurm", sweep, "--submit"]);
        var manifest = SweepManifest.Read(sweep);
        var victim = manifest.Runs[1];
        SweepFixture.WaitFor(
            () => Tangent.Training.Checkpoint.Exists(SweepManifest.RunPath(sweep, victim)),
            Patience,
            "run 1's first checkpoint"
        );
        string job = SlurmJob.ReadAll(sweep).Single().JobId;
        using (var cancel = Process.Start("scancel", [$"{job}_1"]))
            cancel.WaitForExit();
        SweepFixture.WaitFor(
            () => Status(sweep)[1].State == SweepRunState.Failed,
            Patience,
            "status to report the cancelled task"
        );
        Assert.Contains("failed", SweepFixture.Cli(["sweep", "status", sweep]).Split('\n')[1]);
        SweepFixture.WaitFor(() => Status(sweep)[0].State == SweepRunState.Done, Patience, "run 0");
        string output = SweepFixture.Cli(["sweep", "slurm", sweep, "--submit"]);
        Assert.Contains("1 tasks", output);
        Assert.Contains("--array=1\n", File.ReadAllText(Path.Combine(sweep, "slurm", "array-1.sbatch")));
        SweepFixture.WaitFor(() => Status(sweep)[1].State == SweepRunState.Done, Patience, "the resubmitted task");
        Assert.Equal(2, SlurmJob.ReadAll(sweep).Count);
    }

    [SlurmFact]
    public void AnOptionSbatchRejectsIsPassedOnInOneLine()
    {
        using var dir = new TempDir();
        string sweep = SweepFixture.Plan(dir, """{"command": "train", "config": "base.json"}""");
        var stderr = new StringWriter();
        int code = Tangent.Cli.TangentCli.Run(
            ["sweep", "slurm", sweep, "--partition", "no-such-partition", "--submit"],
            new StringWriter(),
            stderr
        );
        Assert.Equal(2, code);
        string message = stderr.ToString().TrimEnd();
        Assert.DoesNotContain('\n', message);
        Assert.StartsWith("tangent: sbatch: refused the job:", message);
        Assert.Contains("partition", message);
        Assert.Empty(SlurmJob.ReadAll(sweep));
    }

    [Fact]
    public void AMissingSbatchSaysWhatToInstall()
    {
        using var dir = new TempDir();
        string sweep = SweepFixture.Plan(dir, """{"command": "train", "config": "base.json"}""");
        var self = Tangent.Cli.SweepCommand.Self();
        var start = new ProcessStartInfo(self.Prefix[0])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in self.Prefix.Skip(1).Concat(["sweep", "slurm", sweep, "--submit"]))
            start.ArgumentList.Add(arg);
        start.Environment["PATH"] = dir.File("no-bin");
        using var process = Process.Start(start)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(2, process.ExitCode);
        Assert.Equal(
            "tangent: sbatch: is not installed (not found on PATH); install Slurm's client commands (Debian: apt-get "
                + "install slurm-client), or run the sweep on this machine with tangent sweep run DIR",
            stderr.TrimEnd()
        );
        Assert.False(Directory.Exists(Path.Combine(sweep, "slurm")));
    }
}
