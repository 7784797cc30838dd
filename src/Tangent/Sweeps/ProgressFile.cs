using Tangent.Store;

namespace Tangent.Sweeps;

/// <summary>
/// Progress written to a file (atomically, at most once per <see cref="Interval"/> and at every change of stage), so
/// that another process — the local executor, <c>tangent sweep status</c> — can show how far a task is.
/// </summary>
public sealed class ProgressFile(string path) : IProgress<ProgressReport>
{
    /// <summary>The shortest time between two writes of the same stage.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private DateTime _last = DateTime.MinValue;
    private string? _stage;

    /// <inheritdoc />
    public void Report(ProgressReport value)
    {
        var now = DateTime.UtcNow;
        if (value.Stage == _stage && now - _last < Interval && value.Fraction < 1)
            return;
        (_last, _stage) = (now, value.Stage);
        try
        {
            AtomicFile.WriteAllText(path, Json.Serialize(value));
        }
        catch (IOException) { }
    }
}
