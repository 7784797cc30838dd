namespace Tangent.Sweeps;

/// <summary>
/// One column of the results index: its name, what it holds (<c>axis</c>: a swept config key; <c>run</c>: the run's
/// own record; <c>summary</c>: a summary.json scalar), and its type (<c>integer</c>, <c>real</c> or <c>text</c>).
/// </summary>
public sealed record SweepColumn(string Name, string Kind, string Type)
{
    /// <summary>Whether the column holds numbers.</summary>
    public bool IsNumeric => Type is "integer" or "real";
}
