using System.CommandLine;
using System.Globalization;
using Tangent.Commands;
using Tangent.Store;
using Tangent.Studies;
using Tangent.Sweeps;
using Tangent.Training;

namespace Tangent.Cli;

/// <summary>
/// <c>tangent sweep plan|run|task|slurm|status|collect</c>: a grid of runs planned once into a manifest, executed on
/// this machine or as a Slurm job array, and collected into a results index (docs/sweeps.md).
/// </summary>
public static class SweepCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command(
            "sweep",
            "Sweeps: plan a grid of train or study runs, run them here (--jobs) or on Slurm, see their status and "
                + "collect their summaries into an index (SQLite, Parquet, CSV) with an aggregate report."
        );
        command.Subcommands.Add(Plan(stdout, stderr));
        command.Subcommands.Add(Run(stdout, stderr));
        command.Subcommands.Add(Task(stdout, stderr));
        command.Subcommands.Add(Slurm(stdout, stderr));
        command.Subcommands.Add(Status(stdout, stderr));
        command.Subcommands.Add(Collect(stdout, stderr));
        return command;
    }

    private static Argument<string> DirArgument() => new("DIR") { Description = "The sweep directory (from plan)" };

    private static Command Plan(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("SWEEP") { Description = "Sweep file (docs/sweeps.md)" };
        var output = new Option<string>("--out")
        {
            Description = "Sweep directory to write the manifest to",
            HelpName = "DIR",
            Required = true,
        };
        var force = new Option<bool>("--force") { Description = "Replace a different sweep's manifest in --out" };
        var command = new Command("plan", "Expand a sweep file into N resolved runs with stable ids (DIR/sweep.json).")
        {
            file,
            output,
            force,
        };
        command.SetAction(parse =>
            TangentCli.Guard(
                parse,
                stderr,
                _ =>
                {
                    var manifest = SweepPlanner.Plan(parse.GetValue(file)!);
                    string dir = Path.GetFullPath(parse.GetValue(output)!);
                    ConfigException.Require(!File.Exists(dir), "--out", $"'{dir}' is a file", "pass a directory");
                    string existing = Path.Combine(dir, SweepManifest.FileName);
                    if (File.Exists(existing))
                    {
                        var before = SweepManifest.Read(dir);
                        bool same = before.Runs.Select(r => r.Id).SequenceEqual(manifest.Runs.Select(r => r.Id));
                        ConfigException.Require(
                            same || parse.GetValue(force),
                            "--out",
                            $"'{dir}' holds a different sweep ({before.Runs.Count} runs from {before.Source})",
                            "choose another directory, or pass --force to replace its manifest"
                        );
                    }
                    else
                        ConfigException.Require(
                            !Directory.Exists(dir) || !Directory.EnumerateFileSystemEntries(dir).Any(),
                            "--out",
                            $"'{dir}' is not empty and holds no sweep",
                            "choose a new or empty directory"
                        );
                    manifest.Write(dir);
                    stdout.WriteLine(
                        $"planned {manifest.Runs.Count} runs of {manifest.Study ?? manifest.Command} (axes: "
                            + $"{(manifest.Axes.Count == 0 ? "none" : string.Join(", ", manifest.Axes))}) in {dir}"
                    );
                    stdout.WriteLine(
                        $"run them with 'tangent sweep run {dir} --jobs 2' or 'tangent sweep slurm {dir} --submit'"
                    );
                    return TangentCli.Ok;
                }
            )
        );
        return command;
    }

    private static Command Run(TextWriter stdout, TextWriter stderr)
    {
        var jobs = new Option<int>("--jobs")
        {
            Description = "Runs at a time (child processes)",
            DefaultValueFactory = _ => 1,
        };
        var threads = new Option<int>("--threads")
        {
            Description = "LibTorch threads per run (0: the machine's cores split between the jobs)",
            DefaultValueFactory = _ => 0,
        };
        return OnSweep(
            "run",
            "Run the sweep's unfinished runs on this machine, --jobs at a time: done runs are skipped, interrupted "
                + "ones resumed, a failed run is recorded and the others go on; Ctrl+C stops cleanly.",
            stderr,
            [jobs, threads],
            (parse, path, manifest, cancel) =>
            {
                int k = parse.GetValue(jobs),
                    t = parse.GetValue(threads);
                ConfigException.Require(k >= 1, "--jobs", $"must be at least 1, got {k}", "pass e.g. --jobs 2");
                ConfigException.Require(t >= 0, "--threads", $"must be ≥ 0, got {t}", "pass 0 or a count");
                int perJob = t > 0 ? t : Math.Max(1, Environment.ProcessorCount / k);
                var todo = SweepRunStatus
                    .ReadAll(path, manifest)
                    .Where(s => s.State != SweepRunState.Done)
                    .Select(s => s.Point.Index)
                    .ToList();
                if (todo.Count == 0)
                {
                    stdout.WriteLine(
                        $"all {manifest.Runs.Count} runs are done; collect them with 'tangent sweep "
                            + $"collect {path}'"
                    );
                    return TangentCli.Ok;
                }
                stdout.WriteLine(
                    $"running {todo.Count} of {manifest.Runs.Count} runs, {k} at a time with {perJob} threads "
                        + $"each (logs in {Path.Combine(path, "logs")})"
                );
                var executor = new LocalExecutor(Self(), path, k, perJob);
                var final = SweepProgress.Run(
                    stdout,
                    manifest,
                    onChange => executor.Run(manifest, todo, onChange, cancel)
                );
                stdout.WriteLine(Counts(final));
                foreach (var f in final.Where(s => s.State == SweepRunState.Failed))
                    stdout.WriteLine($"  run {f.Point.Index} ({f.Point.Id}) failed: {f.Reason}");
                return final.Any(s => s.State == SweepRunState.Failed) ? TangentCli.Failed : TangentCli.Ok;
            }
        );
    }

    private static Command Task(TextWriter stdout, TextWriter stderr)
    {
        var index = new Option<int>("--index")
        {
            Description = "The run's index in the manifest (Slurm: $SLURM_ARRAY_TASK_ID)",
            Required = true,
        };
        var threads = CliRun.ThreadsOption();
        return OnSweep(
            "task",
            "Run one run of a sweep into DIR/runs/<id> (what the executors call): skipped if done, resumed if it can "
                + "be, started otherwise.",
            stderr,
            [index, threads],
            (parse, path, manifest, cancel) =>
            {
                int i = parse.GetValue(index);
                ConfigException.Require(
                    i >= 0 && i < manifest.Runs.Count,
                    "--index",
                    $"is {i}, but the sweep has runs 0 to {manifest.Runs.Count - 1}",
                    "pass an index of the manifest"
                );
                CliRun.SetThreads(parse.GetValue(threads));
                return RunTask(path, manifest, manifest.Runs[i], stdout, cancel);
            }
        );
    }

    /// <summary>Runs one point, with its task record written before and after (exit code and one-line error).</summary>
    internal static int RunTask(
        string dir,
        SweepManifest manifest,
        SweepPoint point,
        TextWriter stdout,
        CancellationToken cancel
    )
    {
        string? job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { } array
            ? $"{array}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}"
            : null;
        var record = new SweepTaskRecord
        {
            Index = point.Index,
            Id = point.Id,
            Host = Environment.MachineName,
            Pid = Environment.ProcessId,
            SlurmJob = job,
            StartedUtc = DateTimeOffset.UtcNow,
        };
        string recordPath = SweepTaskRecord.PathOf(dir, point.Index);
        AtomicFile.WriteAllText(recordPath, Json.Serialize(record));
        try
        {
            int code = RunPoint(dir, manifest, point, stdout, cancel);
            AtomicFile.WriteAllText(
                recordPath,
                Json.Serialize(record with { FinishedUtc = DateTimeOffset.UtcNow, ExitCode = code })
            );
            return code;
        }
        catch (Exception e)
        {
            int code = e switch
            {
                ConfigException => TangentCli.Usage,
                OperationCanceledException => TangentCli.Interrupted,
                _ => TangentCli.Failed,
            };
            string error = e is OperationCanceledException ? "interrupted" : TangentCli.OneLine(e);
            AtomicFile.WriteAllText(
                recordPath,
                Json.Serialize(record with { FinishedUtc = DateTimeOffset.UtcNow, ExitCode = code, Error = error })
            );
            throw;
        }
    }

    private static int RunPoint(
        string dir,
        SweepManifest manifest,
        SweepPoint point,
        TextWriter stdout,
        CancellationToken cancel
    )
    {
        string runPath = SweepManifest.RunPath(dir, point);
        var progress = new ProgressFile(SweepTaskRecord.ProgressPathOf(dir, point.Index));
        RunInfo? info = null;
        if (File.Exists(Path.Combine(runPath, RunDirectory.RunFile)))
        {
            info = RunDirectory.Inspect(runPath);
            if (info.Status == RunStatus.Running && info.Host == Environment.MachineName)
                throw new ConfigException(
                    "--index",
                    $"run {point.Index} is still running (pid {info.Pid})",
                    "wait for it or stop it first"
                );
            // Running elsewhere: the executor that started this task knows the earlier one is gone.
            if (info.Status == RunStatus.Running)
                info = RunDirectory.MarkInterrupted(runPath, "interrupted: its task ended without finishing");
            if (info.Status == RunStatus.Done)
            {
                stdout.WriteLine($"run {point.Index} ({point.Id}) is already done");
                return TangentCli.Ok;
            }
        }
        stdout.WriteLine(
            $"sweep run {point.Index} ({point.Id}): "
                + string.Join(", ", point.Values.Select(v => $"{v.Key}={v.Value.GetRawText()}"))
        );
        if (manifest.Command == "train")
        {
            var config = Json.Read<TrainConfig>(point.Config, "sweep config ").Validate();
            if (info is not null && Checkpoint.Exists(runPath))
            {
                var (resumed, summary) = ConsoleProgress.Run(
                    "train",
                    stdout,
                    p => TrainRun.Resume(runPath, p, cancel),
                    progress
                );
                stdout.WriteLine($"resumed and finished {resumed.Path}");
                return TangentCli.Ok;
            }
            return CliRun.Execute(
                "train",
                config,
                config.Seed,
                runPath,
                force: true,
                stdout,
                (run, p) =>
                {
                    var summary = TrainRun.Run(config, run, p, cancel).ToDictionary(kv => kv.Key, kv => kv.Value);
                    return [$"train loss {summary["final_train_loss"]:G4}  test loss {summary["final_test_loss"]:G4}"];
                },
                progress
            );
        }
        var study = StudyCatalog.Find(manifest.Study!);
        object studyConfig = Json.Read(study.Preset("quick").GetType(), point.Config, "sweep config ");
        if (info is not null)
        {
            // A study resumes in its directory: arms that finished are read back, the rest run again.
            var reopened = RunDirectory.Reopen(runPath);
            return CliRun.ExecuteIn(
                reopened,
                study.Name,
                stdout,
                (r, p) => StudyCommand.Work(study, studyConfig, r, p, cancel),
                progress
            );
        }
        return CliRun.Execute(
            study.Name,
            studyConfig,
            0,
            runPath,
            force: true,
            stdout,
            (r, p) => StudyCommand.Work(study, studyConfig, r, p, cancel),
            progress
        );
    }

    private static Command Slurm(TextWriter stdout, TextWriter stderr)
    {
        var partition = new Option<string?>("--partition") { Description = "#SBATCH --partition", HelpName = "NAME" };
        var time = new Option<string?>("--time")
        {
            Description = "#SBATCH --time per task (e.g. 30, 2:00:00, 1-0)",
            HelpName = "TIME",
        };
        var cpus = new Option<int>("--cpus-per-task")
        {
            Description = "#SBATCH --cpus-per-task; the task uses as many threads",
            DefaultValueFactory = _ => 1,
        };
        var memory = new Option<string?>("--mem")
        {
            Description = "#SBATCH --mem per task (e.g. 4G)",
            HelpName = "MEM",
        };
        var parallel = new Option<int?>("--max-parallel")
        {
            Description = "At most C tasks at once (--array=…%C)",
            HelpName = "C",
        };
        var extra = new Option<string[]>("--sbatch")
        {
            Description = "A further #SBATCH line, e.g. --sbatch '--qos=short' (repeatable)",
            HelpName = "LINE",
        };
        var submit = new Option<bool>("--submit") { Description = "Submit with sbatch and record the job id" };
        return OnSweep(
            "slurm",
            "Write an sbatch array script for the sweep's unfinished runs (one task per run; logs %A_%a); --submit "
                + "submits it. Re-running resubmits only what is neither done nor queued.",
            stderr,
            [partition, time, cpus, memory, parallel, extra, submit],
            (parse, path, manifest, _) =>
            {
                var options = new SlurmOptions
                {
                    Partition = NonEmpty(parse.GetValue(partition), "--partition"),
                    Time = NonEmpty(parse.GetValue(time), "--time"),
                    CpusPerTask = parse.GetValue(cpus),
                    Memory = NonEmpty(parse.GetValue(memory), "--mem"),
                    MaxParallel = parse.GetValue(parallel),
                    Extra = parse.GetValue(extra) ?? [],
                };
                ConfigException.Require(
                    options.CpusPerTask >= 1,
                    "--cpus-per-task",
                    $"must be at least 1, got {options.CpusPerTask}",
                    "pass e.g. 2"
                );
                ConfigException.Require(
                    options.MaxParallel is null or >= 1,
                    "--max-parallel",
                    $"must be at least 1, got {options.MaxParallel}",
                    "pass e.g. 4"
                );
                foreach (var line in options.Extra)
                    ConfigException.Require(
                        line.TrimStart().StartsWith("--", StringComparison.Ordinal)
                            || line.TrimStart().StartsWith("#SBATCH --", StringComparison.Ordinal),
                        "--sbatch",
                        $"'{line}' is not an sbatch option",
                        "pass it as --sbatch '--qos=short'"
                    );
                bool doSubmit = parse.GetValue(submit);
                if (doSubmit)
                    SlurmClient.Require("sbatch");
                var scheduler = doSubmit || SlurmJob.ReadAll(path).Count > 0 ? Query(path) : null;
                var todo = SweepRunStatus
                    .ReadAll(path, manifest, scheduler)
                    .Where(s => s.State is not (SweepRunState.Done or SweepRunState.Queued or SweepRunState.Running))
                    .Select(s => s.Point.Index)
                    .ToList();
                if (todo.Count == 0)
                {
                    stdout.WriteLine($"nothing to submit: all {manifest.Runs.Count} runs are done, queued or running");
                    return TangentCli.Ok;
                }
                var jobs = SlurmJob.ReadAll(path);
                string script = Path.Combine(path, "slurm", $"array-{jobs.Count}.sbatch");
                Directory.CreateDirectory(Path.Combine(path, "slurm", "logs"));
                AtomicFile.WriteAllText(script, SlurmScript.Text(Self(), path, todo, options));
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(
                        script,
                        UnixFileMode.UserRead
                            | UnixFileMode.UserWrite
                            | UnixFileMode.UserExecute
                            | UnixFileMode.GroupRead
                            | UnixFileMode.OtherRead
                    );
                if (!doSubmit)
                {
                    stdout.WriteLine($"wrote {script} ({todo.Count} tasks); submit it with: sbatch {script}");
                    return TangentCli.Ok;
                }
                string id = SlurmClient.Submit(script);
                var job = new SlurmJob
                {
                    JobId = id,
                    Indices = todo,
                    Script = script,
                    SubmittedUtc = DateTimeOffset.UtcNow,
                };
                AtomicFile.WriteAllText(SlurmJob.RecordPath(path), Json.Serialize(jobs.Append(job).ToList()));
                stdout.WriteLine($"submitted job {id}: {todo.Count} tasks ({script})");
                return TangentCli.Ok;
            }
        );
    }

    /// <summary>A subcommand of one sweep directory (DIR and <paramref name="options"/>): reads its manifest, then
    /// runs <paramref name="work"/> under <see cref="TangentCli.Guard"/>.</summary>
    private static Command OnSweep(
        string name,
        string description,
        TextWriter stderr,
        IReadOnlyList<Option> options,
        Func<ParseResult, string, SweepManifest, CancellationToken, int> work
    )
    {
        var dir = DirArgument();
        var command = new Command(name, description) { dir };
        foreach (var option in options)
            command.Options.Add(option);
        command.SetAction(parse =>
            TangentCli.Guard(
                parse,
                stderr,
                cancel =>
                {
                    string path = Path.GetFullPath(parse.GetValue(dir)!);
                    return work(parse, path, SweepManifest.Read(path), cancel);
                }
            )
        );
        return command;
    }

    private static Command Status(TextWriter stdout, TextWriter stderr) =>
        OnSweep(
            "status",
            "Where each run of the sweep stands (pending, queued, running, done, failed with the reason) from "
                + "its run directory and, for Slurm sweeps, squeue and sacct.",
            stderr,
            [],
            (_, path, manifest, _) =>
            {
                var scheduler = SlurmJob.ReadAll(path).Count > 0 ? Query(path) : null;
                var statuses = SweepRunStatus.ReadAll(path, manifest, scheduler);
                foreach (var s in statuses)
                {
                    string values = string.Join(" ", s.Point.Values.Select(v => $"{v.Key}={v.Value.GetRawText()}"));
                    string note = s.State switch
                    {
                        SweepRunState.Running when s.Progress is { } p =>
                            $"{p.Stage} {p.Fraction * 100:0}% {p.Message}".TrimEnd(),
                        SweepRunState.Done => $"{s.WallSeconds:0.0} s",
                        _ => s.Reason ?? "",
                    };
                    string job = s.Job is null ? "" : $" [{s.Job}]";
                    string state = SweepReport.Name(s.State);
                    stdout.WriteLine($"{s.Point.Index, 4} {s.Point.Id} {state, -8} {values}{job}  {note}".TrimEnd());
                }
                stdout.WriteLine(Counts(statuses));
                return TangentCli.Ok;
            }
        );

    private static Command Collect(TextWriter stdout, TextWriter stderr) =>
        OnSweep(
            "collect",
            "Index the sweep's runs (DIR/index.sqlite, index.parquet, index.csv: one row per run, axes, status, wall "
                + "time, every summary scalar) and aggregate over seeds (aggregate.csv, report.html); works on a "
                + "partial sweep.",
            stderr,
            [],
            (_, path, manifest, _) =>
            {
                var scheduler =
                    SlurmJob.ReadAll(path).Count > 0 && SlurmClient.Find("squeue") is not null ? Query(path) : null;
                var statuses = SweepRunStatus.ReadAll(path, manifest, scheduler);
                var index = SweepIndex.Build(path, manifest, statuses);
                var facts = new Dictionary<string, string>
                {
                    ["source"] = manifest.Source,
                    ["command"] = manifest.Command,
                    ["study"] = manifest.Study ?? "",
                    ["runs"] = manifest.Runs.Count.ToString(CultureInfo.InvariantCulture),
                    ["axes"] = string.Join(",", manifest.Axes),
                    ["seed_key"] = manifest.SeedKey,
                    ["collected_utc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                };
                SweepIndexFiles.WriteSqlite(index, facts, Path.Combine(path, "index.sqlite"));
                SweepIndexFiles.WriteParquet(index, Path.Combine(path, "index.parquet"));
                SweepIndexFiles.WriteCsv(index, Path.Combine(path, "index.csv"));
                var statistics = SweepAggregate.Of(index, SweepAggregate.GroupAxes(manifest));
                SweepReport.Write(path, manifest, index, statuses, statistics);
                stdout.WriteLine(Counts(statuses));
                stdout.WriteLine(
                    $"wrote {Path.Combine(path, "index.sqlite")} (also index.parquet, index.csv, aggregate.csv; "
                        + $"report: {Path.Combine(path, RunDirectory.ReportFile)})"
                );
                return TangentCli.Ok;
            }
        );

    private static IReadOnlyDictionary<int, SchedulerTask> Query(string dir) =>
        SlurmClient.Query(SlurmScript.JobName(dir), SlurmJob.ReadAll(dir).Select(j => j.JobId).ToList());

    /// <summary>"6 runs: 4 done, 1 failed, 1 pending".</summary>
    internal static string Counts(IReadOnlyList<SweepRunStatus> statuses) =>
        $"{statuses.Count} runs: "
        + string.Join(
            ", ",
            statuses.GroupBy(s => s.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {SweepReport.Name(g.Key)}")
        );

    private static string? NonEmpty(string? value, string option)
    {
        ConfigException.Require(
            value is null || value.Trim().Length > 0,
            option,
            "is empty",
            "give a value or leave the option out"
        );
        return value?.Trim();
    }

    /// <summary>
    /// How to start this tangent again: its app host; under <c>dotnet</c> (tests, <c>dotnet Tangent.Cli.dll</c>) the
    /// app host beside the assembly when there is one, else <c>dotnet</c> with the assembly.
    /// </summary>
    internal static SweepTaskCommand Self()
    {
        string? process = Environment.ProcessPath;
        string assembly = typeof(SweepCommand).Assembly.Location;
        string name = Path.GetFileNameWithoutExtension(process ?? "");
        if (process is not null && name is "tangent" or "Tangent.Cli")
            return new SweepTaskCommand([process]);
        string host = Path.Combine(Path.GetDirectoryName(assembly)!, "Tangent.Cli");
        return File.Exists(host) ? new SweepTaskCommand([host]) : new SweepTaskCommand(["dotnet", assembly]);
    }
}
