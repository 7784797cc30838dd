using System.Globalization;

namespace Tangent;

/// <summary>
/// The size check before heavy work: the estimated peak of a command's largest objects against the memory the machine
/// has available now, refused with one line (naming the largest object and the field that sets it) when it does not
/// fit.
/// </summary>
public static class MemoryBudget
{
    /// <summary>The option that lets a user insist on a run the check refuses.</summary>
    public const string OverrideOption = "--skip-memory-check";

    /// <summary>
    /// Bytes available for new allocations: the least of <c>MemAvailable</c> in /proc/meminfo (Linux), what is left of
    /// a cgroup v2 limit (<c>memory.max − memory.current</c>, in containers) and the .NET runtime's total available
    /// memory (which also honours container limits).
    /// </summary>
    public static long Available()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (MeminfoAvailable() is { } meminfo)
            available = Math.Min(available, meminfo);
        if (CgroupRemaining() is { } cgroup)
            available = Math.Min(available, cgroup);
        return available;
    }

    private static long? MeminfoAvailable()
    {
        foreach (var line in ReadLines("/proc/meminfo"))
            if (
                line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                && long.TryParse(
                    line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                    NumberStyles.None,
                    CultureInfo.InvariantCulture,
                    out long kib
                )
            )
                return kib * 1024;
        return null;
    }

    private static long? CgroupRemaining()
    {
        string? max = ReadLines("/sys/fs/cgroup/memory.max").FirstOrDefault();
        string? current = ReadLines("/sys/fs/cgroup/memory.current").FirstOrDefault();
        if (max is null || current is null || max.Trim() == "max")
            return null;
        return
            long.TryParse(max.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long limit)
            && long.TryParse(current.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long used)
            ? Math.Max(0, limit - used)
            : null;
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path) : [];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Throws a <see cref="ConfigException"/> when Σ bytes of <paramref name="items"/> exceeds
    /// <paramref name="available"/> (default: <see cref="Available"/>), naming the largest item's field, unless
    /// <paramref name="skip"/>.
    /// </summary>
    public static void Require(IEnumerable<MemoryItem> items, bool skip = false, long? available = null)
    {
        if (skip)
            return;
        var list = items.Where(i => i.Bytes > 0).OrderByDescending(i => i.Bytes).ToList();
        if (list.Count == 0)
            return;
        double total = list.Sum(i => i.Bytes);
        long free = available ?? Available();
        if (total <= free)
            return;
        var largest = list[0];
        throw new ConfigException(
            largest.Field,
            $"the run needs about {Format(total)} "
                + $"({string.Join(", ", list.Take(3).Select(i => $"{i.What} {Format(i.Bytes)}"))}) "
                + $"and {Format(free)} is available",
            $"lower {largest.Field}, or pass {OverrideOption} to try anyway"
        );
    }

    /// <summary>Bytes in binary units: <c>512 B</c>, <c>3.2 MiB</c>, <c>6.0 GiB</c>.</summary>
    public static string Format(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1)
        {
            bytes /= 1024;
            u++;
        }
        return u == 0 ? $"{bytes:0} B" : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[u]}");
    }
}
