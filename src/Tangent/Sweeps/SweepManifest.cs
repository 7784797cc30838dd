using System.Text.Json;
using Tangent.Store;

namespace Tangent.Sweeps;

/// <summary>
/// A planned sweep as written to <c>DIR/sweep.json</c>: what each run is (<see cref="Command"/>, for studies the
/// <see cref="Study"/>), the axes, and the N resolved runs. Run k lives in <c>DIR/runs/&lt;id&gt;/</c>; its task
/// record in <c>DIR/tasks/&lt;k&gt;.json</c>.
/// </summary>
public sealed record SweepManifest
{
    /// <summary>File name of the manifest in a sweep directory.</summary>
    public const string FileName = "sweep.json";

    /// <summary><c>train</c> or <c>study</c>.</summary>
    public required string Command { get; init; }

    /// <summary>The study's name, for study sweeps.</summary>
    public string? Study { get; init; }

    /// <summary>The sweep file it was planned from (absolute path).</summary>
    public required string Source { get; init; }

    /// <summary>The axes, in order: grid keys, zip keys, then the seed key when seeds &gt; 1.</summary>
    public required IReadOnlyList<string> Axes { get; init; }

    /// <summary>The seed key (an axis when there is more than one seed).</summary>
    public required string SeedKey { get; init; }

    /// <summary>The runs.</summary>
    public required IReadOnlyList<SweepPoint> Runs { get; init; }

    /// <summary>The run directory of <paramref name="point"/> in the sweep at <paramref name="dir"/>.</summary>
    public static string RunPath(string dir, SweepPoint point) => Path.Combine(dir, "runs", point.Id);

    /// <summary>Reads <c>DIR/sweep.json</c>; a missing or unreadable manifest is a one-line error naming DIR.</summary>
    public static SweepManifest Read(string dir)
    {
        string file = Path.Combine(dir, FileName);
        ConfigException.Require(
            File.Exists(file),
            "DIR",
            $"'{dir}' is not a sweep directory (no {FileName})",
            "plan one first with tangent sweep plan SWEEP.json --out DIR"
        );
        try
        {
            return Json.Deserialize<SweepManifest>(File.ReadAllText(file));
        }
        catch (JsonException e)
        {
            throw new ConfigException(
                "DIR",
                $"'{file}' is unreadable: {e.Message.ReplaceLineEndings(" ")}",
                "plan the sweep again with tangent sweep plan"
            );
        }
    }

    /// <summary>Writes the manifest atomically to <c>DIR/sweep.json</c>.</summary>
    public void Write(string dir) => AtomicFile.WriteAllText(Path.Combine(dir, FileName), Json.Serialize(this));
}
