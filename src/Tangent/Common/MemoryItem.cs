namespace Tangent;

/// <summary>One of the largest objects a command will hold: what it is, its size, and the config field that sets
/// it.</summary>
/// <param name="What">The object, e.g. <c>K_SS snapshot (traced, 2000 × 2000)</c>.</param>
/// <param name="Bytes">Its estimated size in bytes.</param>
/// <param name="Field">The option or config key that sets its size.</param>
public sealed record MemoryItem(string What, double Bytes, string Field);
