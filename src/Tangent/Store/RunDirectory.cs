using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tangent.Native;
using TorchSharp;

namespace Tangent.Store;

/// <summary>
/// The run directory every command writes: <c>run.json</c>, <c>metrics.csv</c>, <c>summary.json</c>,
/// <c>arrays/*.npy</c>, <c>figures/*.svg|png</c>, <c>report.html</c>. Every file is written atomically; <c>run.json</c>
/// says <c>running</c> until <see cref="Complete"/> or <see cref="Fail"/>.
/// </summary>
public sealed class RunDirectory
{
    /// <summary>File name of the run record.</summary>
    public const string RunFile = "run.json";

    /// <summary>File name of the per-step metrics.</summary>
    public const string MetricsFile = "metrics.csv";

    /// <summary>File name of the named scalar results.</summary>
    public const string SummaryFile = "summary.json";

    /// <summary>File name of the self-contained report.</summary>
    public const string ReportFile = "report.html";

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private RunInfo _info;

    private bool _created;

    private RunDirectory(string path, RunInfo info)
    {
        Path = path;
        _info = info;
    }

    /// <summary>Absolute path of the run directory.</summary>
    public string Path { get; }

    /// <summary>The run record as last written.</summary>
    public RunInfo Info => _info;

    /// <summary>Wall time since the run was created, seconds.</summary>
    public double ElapsedSeconds => _clock.Elapsed.TotalSeconds;

    /// <summary>Directory of the .npy arrays.</summary>
    public string ArraysPath => System.IO.Path.Combine(Path, "arrays");

    /// <summary>Directory of the figures.</summary>
    public string FiguresPath => System.IO.Path.Combine(Path, "figures");

    /// <summary>
    /// Creates the run directory and writes <c>run.json</c> with status <c>running</c>. Refuses a non-empty directory
    /// unless <paramref name="overwrite"/>, in which case the files of the previous run are removed first.
    /// </summary>
    public static RunDirectory Create<TConfig>(string path, string command, TConfig config, long seed, bool overwrite)
    {
        string full = System.IO.Path.GetFullPath(path);
        ConfigException.Require(
            !File.Exists(full),
            "--out",
            $"'{path}' is a file",
            "pass a directory path for the run"
        );
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
        {
            ConfigException.Require(
                overwrite,
                "--out",
                $"'{path}' already exists and is not empty",
                "choose another directory or pass --force to replace it"
            );
            ConfigException.Require(
                File.Exists(System.IO.Path.Combine(full, RunFile)),
                "--out",
                $"'{path}' is not empty and is not a run directory (no {RunFile})",
                "choose an empty or new directory; --force only replaces earlier runs"
            );
            foreach (var file in Directory.EnumerateFiles(full))
                File.Delete(file);
            foreach (var dir in Directory.EnumerateDirectories(full))
                Directory.Delete(dir, recursive: true);
        }
        bool created = !Directory.Exists(full);
        try
        {
            Directory.CreateDirectory(full);
            string probe = System.IO.Path.Combine(full, $".write-test-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(
                "--out",
                $"cannot write to '{path}' ({e.Message.ReplaceLineEndings(" ")})",
                "choose a writable directory"
            );
        }
        var configJson = JsonSerializer.SerializeToElement(config, Json.Options);
        var info = new RunInfo
        {
            Command = command,
            Config = configJson,
            ConfigHash = ConfigHash(configJson),
            Seed = seed,
            Status = RunStatus.Running,
            TangentVersion = TorchRuntime.TangentVersion,
            GitCommit = TorchRuntime.GitCommit,
            TorchSharpVersion = TorchRuntime.TorchSharpVersion,
            LibTorchVersion = TorchRuntime.LibTorchVersion,
            Threads = TorchRuntime.Threads,
            Host = Environment.MachineName,
            Pid = Environment.ProcessId,
            StartedUtc = DateTimeOffset.UtcNow,
        };
        var run = new RunDirectory(full, info) { _created = created };
        run.WriteInfo();
        return run;
    }

    /// <summary>
    /// Reopens an unfinished run (failed or interrupted) to continue it: run.json is marked running again under this
    /// process; every file already written stays.
    /// </summary>
    public static RunDirectory Reopen(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var info = Inspect(full);
        ConfigException.Require(
            info.Status != RunStatus.Done,
            "RUN",
            $"the run at '{path}' already finished",
            "start a new run instead of resuming"
        );
        ConfigException.Require(
            info.Status != RunStatus.Running,
            "RUN",
            $"the run at '{path}' is still running (pid {info.Pid})",
            "wait for it or stop it first"
        );
        var run = new RunDirectory(
            full,
            info with
            {
                Status = RunStatus.Running,
                Error = null,
                Host = Environment.MachineName,
                Pid = Environment.ProcessId,
                FinishedUtc = null,
                WallSeconds = null,
            }
        );
        run.WriteInfo();
        return run;
    }

    /// <summary>
    /// Reads <c>run.json</c>. A run still marked <c>running</c> whose process no longer exists on this host was
    /// interrupted (e.g. <c>kill -9</c>): it is reported, and re-marked, as failed.
    /// </summary>
    public static RunInfo Inspect(string path)
    {
        string file = System.IO.Path.Combine(path, RunFile);
        ConfigException.Require(Directory.Exists(path), "RUN", $"'{path}' does not exist", "pass a run directory");
        ConfigException.Require(
            File.Exists(file),
            "RUN",
            $"'{path}' is not a run directory (no {RunFile})",
            "pass a directory written by a tangent command"
        );
        RunInfo info;
        try
        {
            info = Json.Deserialize<RunInfo>(File.ReadAllText(file));
        }
        catch (JsonException e)
        {
            throw new ConfigException(
                "RUN",
                $"'{file}' is unreadable: {e.Message.ReplaceLineEndings(" ")}",
                "pass an intact run directory"
            );
        }
        if (info.Status == RunStatus.Running && info.Host == Environment.MachineName && !ProcessAlive(info.Pid))
        {
            info = info with
            {
                Status = RunStatus.Failed,
                Error = "interrupted: the process that ran it ended without finishing",
            };
            AtomicFile.WriteAllText(file, Json.Serialize(info));
        }
        return info;
    }

    /// <summary>
    /// Marks a run that run.json still calls <c>running</c> as failed with <paramref name="reason"/>, for a caller that
    /// knows its process is gone though it cannot see it (a scheduler's task on another node); returns the record.
    /// </summary>
    public static RunInfo MarkInterrupted(string path, string reason)
    {
        var info = Inspect(path);
        if (info.Status != RunStatus.Running)
            return info;
        info = info with { Status = RunStatus.Failed, Error = reason };
        AtomicFile.WriteAllText(System.IO.Path.Combine(path, RunFile), Json.Serialize(info));
        return info;
    }

    /// <summary>Writes a float64/float32/int64 array as <c>arrays/NAME.npy</c>.</summary>
    public void WriteArray(string name, torch.Tensor tensor) => Npy.Write(ArrayPath(name), tensor);

    /// <summary>Writes <paramref name="data"/> with <paramref name="shape"/> as <c>arrays/NAME.npy</c>.</summary>
    public void WriteArray(string name, ReadOnlySpan<double> data, params long[] shape) =>
        Npy.Write(ArrayPath(name), data, shape);

    /// <summary>Path of <c>arrays/NAME.npy</c>.</summary>
    public string ArrayPath(string name) => System.IO.Path.Combine(ArraysPath, name + ".npy");

    /// <summary>Writes <c>summary.json</c>: named scalar results, in the given order.</summary>
    public void WriteSummary(IEnumerable<KeyValuePair<string, object?>> values)
    {
        var ordered = new Dictionary<string, object?>();
        foreach (var (k, v) in values)
            ordered[k] = v;
        AtomicFile.WriteAllText(System.IO.Path.Combine(Path, SummaryFile), Json.Serialize(ordered));
    }

    /// <summary>Writes <c>metrics.csv</c> from a header and rows (invariant culture, round-trip precision).</summary>
    public void WriteMetrics(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<double?>> rows) =>
        WriteTable(MetricsFile, columns, rows);

    /// <summary>Writes a further table <paramref name="fileName"/> (a .csv in the run directory) like
    /// <c>metrics.csv</c>.</summary>
    public void WriteTable(string fileName, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<double?>> rows)
    {
        if (fileName.Contains('/') || fileName.Contains('\\') || !fileName.EndsWith(".csv", StringComparison.Ordinal))
            throw new ArgumentException($"'{fileName}' must be a bare .csv file name", nameof(fileName));
        var sb = new StringBuilder();
        sb.AppendJoin(',', columns).Append('\n');
        foreach (var row in rows)
        {
            if (row.Count != columns.Count)
                throw new ArgumentException($"metrics row has {row.Count} values for {columns.Count} columns");
            sb.AppendJoin(',', row.Select(v => v is double d ? d.ToString("R", CultureInfo.InvariantCulture) : ""))
                .Append('\n');
        }
        AtomicFile.WriteAllText(System.IO.Path.Combine(Path, fileName), sb.ToString());
    }

    /// <summary>Writes <c>figures/NAME.svg</c> and <c>figures/NAME.png</c>.</summary>
    public void WriteFigure(string name, string svg, byte[] png)
    {
        AtomicFile.WriteAllText(System.IO.Path.Combine(FiguresPath, name + ".svg"), svg);
        AtomicFile.WriteAllBytes(System.IO.Path.Combine(FiguresPath, name + ".png"), png);
    }

    /// <summary>Writes <c>report.html</c>.</summary>
    public void WriteReport(string html) => AtomicFile.WriteAllText(System.IO.Path.Combine(Path, ReportFile), html);

    /// <summary>Marks the run done and records its wall time.</summary>
    public void Complete() => Finish(RunStatus.Done, null);

    /// <summary>
    /// Removes a run refused for bad input once its work had started, when it holds nothing but its run.json: the file
    /// goes, and the directory too when this run created it, so the corrected command can use the same <c>--out</c>. A
    /// run that already wrote results is marked failed with <paramref name="error"/> instead. Returns whether the run
    /// was removed.
    /// </summary>
    public bool Discard(string error)
    {
        try
        {
            var entries = Directory.EnumerateFileSystemEntries(Path).ToList();
            if (entries.All(e => System.IO.Path.GetFileName(e) == RunFile))
            {
                File.Delete(System.IO.Path.Combine(Path, RunFile));
                if (_created)
                    Directory.Delete(Path);
                return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        Fail(error);
        return false;
    }

    /// <summary>Directory name that the arrays of a failed run that cannot be resumed are moved to.</summary>
    public const string PartialArraysDirectory = "arrays.partial";

    /// <summary>
    /// Marks the run failed with <paramref name="error"/>. Unless the run can be <paramref name="resumable"/> (it then
    /// keeps what it needs to continue), its <c>arrays/</c> are moved to <c>arrays.partial/</c>, so that no reader
    /// takes the arrays of a failed run for results.
    /// </summary>
    public void Fail(string error, bool resumable = false)
    {
        if (!resumable && Directory.Exists(ArraysPath))
        {
            string partial = System.IO.Path.Combine(Path, PartialArraysDirectory);
            try
            {
                if (Directory.Exists(partial))
                    Directory.Delete(partial, recursive: true);
                Directory.Move(ArraysPath, partial);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        Finish(RunStatus.Failed, error);
    }

    private void Finish(RunStatus status, string? error)
    {
        _info = _info with
        {
            Status = status,
            Error = error,
            FinishedUtc = DateTimeOffset.UtcNow,
            WallSeconds = Math.Round(_clock.Elapsed.TotalSeconds, 3),
        };
        WriteInfo();
    }

    private void WriteInfo() => AtomicFile.WriteAllText(System.IO.Path.Combine(Path, RunFile), Json.Serialize(_info));

    /// <summary>The SHA-256 of a config's canonical JSON, as run.json records it in <c>config_hash</c>.</summary>
    public static string HashOf<TConfig>(TConfig config) =>
        ConfigHash(JsonSerializer.SerializeToElement(config, Json.Options));

    private static string ConfigHash(JsonElement config)
    {
        string canonical = JsonSerializer.Serialize(config, new JsonSerializerOptions { WriteIndented = false });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static bool ProcessAlive(int pid)
    {
        if (pid == Environment.ProcessId)
            return true;
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
