namespace Tangent.Studies;

/// <summary>How a <see cref="Criterion"/> compares a measured value m with its threshold t.</summary>
public enum Comparison
{
    /// <summary>m ≤ t.</summary>
    AtMost,

    /// <summary>m &lt; t.</summary>
    Below,

    /// <summary>m ≥ t.</summary>
    AtLeast,

    /// <summary>m &gt; t.</summary>
    Above,
}
