using System.Globalization;

namespace Tangent;

/// <summary>One of the largest objects a command will hold: what it is, its size, and the config field that sets it.</summary>
/// <param name="What">The object, e.g. <c>K_SS snapshot (traced, 2000 × 2000)</c>.</param>
/// <param name="Bytes">Its estimated size in bytes.</param>
/// <param name="Field">The option or config key that sets its size.</param>
public sealed record MemoryItem(string What, double Bytes, string Field);

/// <summary>
/// The size check before heavy work: the estimated peak of a command's largest objects against the memory the machine
/// has available now, refused with one line (naming the largest object and the field that sets it) when it does not fit.
/// </summary>
public static class MemoryBudget
{
    /// <summary>The option that lets a user insist on a run the check refuses.</summary>
    public const string OverrideOption = "--skip-memory-check";

    /// <summary>
    /// Bytes available for new allocations: <c>MemAvailable</c> of /proc/meminfo (Linux), else what the .NET runtime
    /// reports as the total available memory.
    /// </summary>
    public static long Available()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                    && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None,
                                     CultureInfo.InvariantCulture, out long kib))
                    return kib * 1024;
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>
    /// Throws a <see cref="ConfigException"/> when Σ bytes of <paramref name="items"/> exceeds <paramref name="available"/>
    /// (default: <see cref="Available"/>), naming the largest item's field, unless <paramref name="skip"/>.
    /// </summary>
    public static void Require(IEnumerable<MemoryItem> items, bool skip = false, long? available = null)
    {
        if (skip) return;
        var list = items.Where(i => i.Bytes > 0).OrderByDescending(i => i.Bytes).ToList();
        if (list.Count == 0) return;
        double total = list.Sum(i => i.Bytes);
        long free = available ?? Available();
        if (total <= free) return;
        var largest = list[0];
        throw new ConfigException(largest.Field,
            $"the run needs about {Format(total)} ({string.Join(", ", list.Take(3).Select(i => $"{i.What} {Format(i.Bytes)}"))}) "
            + $"and {Format(free)} is available",
            $"lower {largest.Field}, or pass {OverrideOption} to try anyway");
    }

    /// <summary>Bytes in binary units: <c>512 B</c>, <c>3.2 MiB</c>, <c>6.0 GiB</c>.</summary>
    public static string Format(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1) { bytes /= 1024; u++; }
        return u == 0 ? $"{bytes:0} B" : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[u]}");
    }
}
