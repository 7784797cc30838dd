using Microsoft.Data.Sqlite;
using Parquet;
using Tangent.Sweeps;

namespace Tangent.Tests.Sweeps;

/// <summary>
/// The local executor end to end: child processes run the sweep, done runs are skipped on a re-run, a failed run is
/// recorded while the others finish, Ctrl+C stops cleanly and a re-run continues from the checkpoints, and collect
/// indexes a partial or whole sweep (SQLite, Parquet and CSV agree; the aggregate is the hand-computed mean and t
/// interval).
/// </summary>
public sealed class LocalSweepTests
{
    [Fact]
    public void ASweepRunsSkipsWhatIsDoneAndRecordsAFailureWhileTheOthersFinish()
    {
        using var dir = new TempDir();
        // lr = 1e6 diverges at run time (validation cannot know), the other two finish.
        string sweep = SweepFixture.Plan(
            dir,
            """{"command": "train", "config": "base.json", "grid": {"optimizer.lr": [0.1, 1e6, 0.2]}}"""
        );
        string output = SweepFixture.Cli(["sweep", "run", sweep, "--jobs", "2"], expected: 1);
        Assert.Contains("3 runs: 2 done, 1 failed", output);
        var manifest = SweepManifest.Read(sweep);
        var status = SweepRunStatus.ReadAll(sweep, manifest);
        Assert.Equal([SweepRunState.Done, SweepRunState.Failed, SweepRunState.Done], status.Select(s => s.State));
        Assert.Contains("diverged", status[1].Reason);
        Assert.Equal(1, SweepTaskRecord.Read(sweep, 1)!.ExitCode);
        // Done runs are not run again: their run.json keeps its start time; only the failed one is retried.
        var started = Json.Deserialize<Tangent.Store.RunInfo>(
            File.ReadAllText(Path.Combine(SweepManifest.RunPath(sweep, manifest.Runs[0]), "run.json"))
        ).StartedUtc;
        output = SweepFixture.Cli(["sweep", "run", sweep, "--jobs", "2"], expected: 1);
        Assert.Contains("running 1 of 3 runs", output);
        Assert.Equal(
            started,
            Json.Deserialize<Tangent.Store.RunInfo>(
                File.ReadAllText(Path.Combine(SweepManifest.RunPath(sweep, manifest.Runs[0]), "run.json"))
            ).StartedUtc
        );
        string statusText = SweepFixture.Cli(["sweep", "status", sweep]);
        Assert.Contains("failed", statusText);
        Assert.Contains("diverged", statusText);
    }

    [Fact]
    public async Task CollectIndexesEveryRunAndAggregatesOverSeeds()
    {
        using var dir = new TempDir();
        string sweep = SweepFixture.Plan(
            dir,
            """{"command": "train", "config": "base.json", "grid": {"optimizer.lr": [0.1, 0.2]}, "seeds": 3}"""
        );
        // A partial sweep collects too: before anything ran, six pending rows.
        SweepFixture.Cli(["sweep", "collect", sweep]);
        using (var c = new SqliteConnection($"Data Source={Path.Combine(sweep, "index.sqlite")};Pooling=False"))
        {
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "SELECT count(*) FROM runs WHERE status = 'pending'";
            Assert.Equal(6L, (long)q.ExecuteScalar()!);
        }
        SweepFixture.Cli(["sweep", "run", sweep, "--jobs", "2"]);
        SweepFixture.Cli(["sweep", "collect", sweep]);
        var manifest = SweepManifest.Read(sweep);
        // The test losses, read from each run's own summary.json.
        var losses = manifest
            .Runs.Select(r =>
                (
                    Lr: r.Values["optimizer.lr"].GetDouble(),
                    Loss: (double)
                        Json.ReadSummary(Path.Combine(SweepManifest.RunPath(sweep, r), "summary.json"))
                            .First(kv => kv.Key == "final_test_loss")
                            .Value!
                )
            )
            .ToList();
        using (var c = new SqliteConnection($"Data Source={Path.Combine(sweep, "index.sqlite")};Pooling=False"))
        {
            c.Open();
            using var q = c.CreateCommand();
            q.CommandText = "SELECT \"optimizer.lr\", seed, final_test_loss, status FROM runs ORDER BY \"index\"";
            using var reader = q.ExecuteReader();
            int i = 0;
            while (reader.Read())
            {
                Assert.Equal(losses[i].Lr, reader.GetDouble(0));
                Assert.Equal(i % 3, reader.GetInt64(1));
                Assert.Equal(losses[i].Loss, reader.GetDouble(2));
                Assert.Equal("done", reader.GetString(3));
                i++;
            }
            Assert.Equal(6, i);
        }
        // Parquet holds the same values.
        await using (var stream = File.OpenRead(Path.Combine(sweep, "index.parquet")))
        {
            await using var parquet = await ParquetReader.CreateAsync(stream);
            var field = parquet.Schema.DataFields.First(f => f.Name == "final_test_loss");
            using var group = parquet.OpenRowGroupReader(0);
            var values = new double?[6];
            await group.ReadAsync<double>(field, values.AsMemory());
            Assert.Equal(losses.Select(l => (double?)l.Loss), values);
        }
        // aggregate.csv: the mean over the three seeds and the t interval with 2 degrees of freedom.
        var rows = File.ReadAllLines(Path.Combine(sweep, "aggregate.csv"));
        Assert.Equal("optimizer.lr,metric,n,mean,std,ci95_low,ci95_high", rows[0]);
        var row = rows.Select(r => r.Split(',')).First(r => r[0] == "0.2" && r[1] == "final_test_loss");
        var mine = losses.Where(l => l.Lr == 0.2).Select(l => l.Loss).ToList();
        double mean = mine.Average(),
            sd = Math.Sqrt(mine.Sum(v => (v - mean) * (v - mean)) / 2);
        Assert.Equal("3", row[2]);
        Assert.Equal(mean, double.Parse(row[3], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal(
            mean + 4.302653 * sd / Math.Sqrt(3),
            double.Parse(row[6], System.Globalization.CultureInfo.InvariantCulture),
            5
        );
        Assert.True(File.Exists(Path.Combine(sweep, "figures", "final_test_loss-vs-optimizer_lr.png")));
        Assert.Contains("Aggregate over seeds", File.ReadAllText(Path.Combine(sweep, "report.html")));
        Assert.Contains("all 6 runs are done", SweepFixture.Cli(["sweep", "run", sweep]));
    }

    [Fact]
    public void CtrlCStopsTheSweepCleanlyAndARerunContinuesFromTheCheckpoints()
    {
        // The interrupt must reach the executor while both runs are still training. On a busy machine one run can
        // finish before the other writes its first checkpoint; then the attempt proves nothing and is repeated with
        // runs four times longer.
        for (int steps = 8000; ; steps *= 4)
        {
            Assert.True(steps <= 512_000, "the runs always finished before the interrupt could reach them");
            using var dir = new TempDir();
            string sweep = SweepFixture.Plan(
                dir,
                $$$"""
                {"command": "train", "config": "base.json", "set": {"steps": {{{steps}}}, "checkpoint_every": 200},
                 "grid": {"optimizer.lr": [0.1, 0.2]}}
                """
            );
            using var process = SweepFixture.Start("sweep", "run", sweep, "--jobs", "2");
            var manifest = SweepManifest.Read(sweep);
            // Wait until both runs have written a checkpoint, then interrupt the executor as a terminal's Ctrl+C
            // would.
            SweepFixture.WaitFor(
                () =>
                    manifest.Runs.All(r => Tangent.Training.Checkpoint.Exists(SweepManifest.RunPath(sweep, r)))
                    || process.HasExited,
                TimeSpan.FromMinutes(2),
                "both runs' first checkpoints"
            );
            bool running =
                !process.HasExited && SweepRunStatus.ReadAll(sweep, manifest).All(s => s.State != SweepRunState.Done);
            using (var kill = System.Diagnostics.Process.Start("kill", ["-INT", process.Id.ToString()]))
                kill.WaitForExit();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the executor did not stop");
            var status = SweepRunStatus.ReadAll(sweep, manifest);
            if (!running || status.Any(s => s.State == SweepRunState.Done))
                continue;
            Assert.Equal(130, process.ExitCode);
            Assert.All(status, s => Assert.Equal(SweepRunState.Failed, s.State));
            Assert.All(status, s => Assert.Equal("interrupted", s.Reason));
            string output = SweepFixture.Cli(["sweep", "run", sweep, "--jobs", "2"]);
            Assert.Contains("2 runs: 2 done", output);
            Assert.All(
                manifest.Runs,
                r => Assert.Contains("resumed", File.ReadAllText(Path.Combine(sweep, "logs", $"{r.Index}.out")))
            );
            return;
        }
    }
}
