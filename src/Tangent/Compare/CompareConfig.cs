namespace Tangent.Compare;

/// <summary>What <c>tangent compare</c> records as its config in run.json: the runs it compared.</summary>
public sealed record CompareConfig
{
    /// <summary>The compared run directories (absolute paths).</summary>
    public required IReadOnlyList<string> Runs { get; init; }
}
