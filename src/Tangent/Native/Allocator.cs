using System.Runtime.InteropServices;

namespace Tangent.Native;

/// <summary>
/// glibc's malloc raises its mmap threshold every time a large block is freed, after which LibTorch's tens-of-megabyte
/// activation buffers come from the heap arenas and fragment them: a full-batch run on p = 97 modular arithmetic once
/// grew to 15 GB resident in 350 steps with no tensor leaked (docs/performance.md). <see cref="FixMmapThreshold"/>
/// fixes the threshold (mallopt M_MMAP_THRESHOLD, which also stops the adjustment) at 32 MiB, and keeps up to
/// 256 MiB of freed memory at the top of the heap (M_TRIM_THRESHOLD). It was 1 MiB until every buffer above that came
/// back as fresh pages whose first-touch faults cost more than the work: a Forward-Forward step 234 → 38 ms, a
/// full-batch step of the p = 97 network 4× faster, the same 2,000-step run flat at 0.64 GB. The tangent CLI applies
/// it at start-up, <c>Trainer.Run</c> before training; Linux with glibc only; set TANGENT_KEEP_MALLOC=1 to opt out.
/// It also asks LibTorch to back allocations of 2 MB and more with transparent huge pages (THP_MEM_ALLOC_ENABLE=1, set
/// in the native environment unless the user set it; LibTorch reads it at its first allocation, so this must run
/// before any tensor exists): 512 times fewer faults on the buffers that are still mapped fresh.
/// </summary>
public static class Allocator
{
    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD in malloc.h
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD

    /// <summary>The fixed threshold: allocations of at least this many bytes are mmapped and unmapped on
    /// free (32 MiB, glibc's own upper bound for its dynamic threshold on 64-bit).</summary>
    public const int ThresholdBytes = 32 << 20;

    /// <summary>Free memory at the top of the heap is returned to the system only beyond this many bytes.</summary>
    public const int TrimBytes = 256 << 20;

    /// <summary>Whether the fixed threshold is in effect in this process.</summary>
    public static bool FixedThreshold { get; private set; }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>LibTorch's switch for transparent huge pages on its CPU allocations.</summary>
    public const string HugePagesVariable = "THP_MEM_ALLOC_ENABLE";

    private static readonly Lock Gate = new();
    private static bool applied;

    /// <summary>Fixes glibc's mmap threshold for this process (once; idempotent and thread-safe); returns whether it is
    /// in effect.</summary>
    public static bool FixMmapThreshold()
    {
        lock (Gate)
        {
            if (applied)
                return FixedThreshold;
            applied = true;
            if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("TANGENT_KEEP_MALLOC") == "1")
                return false;
            try
            {
                FixedThreshold = Mallopt(MmapThreshold, ThresholdBytes) == 1;
                if (FixedThreshold) // (setting it alone would also stop glibc's dynamic adjustment)
                    Mallopt(TrimThreshold, TrimBytes);
                SetEnv(HugePagesVariable, "1", 0); // not overwriting the user's own choice
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                FixedThreshold = false;
            } // not glibc (e.g. musl)
            return FixedThreshold;
        }
    }

    /// <summary>
    /// Returns the free pages inside the heap to the system (glibc's malloc_trim(0)), not only those at its top:
    /// buffers below the 32 MiB threshold (an N × N float64 matrix with N &lt; 2,048) are reused from the heap, and
    /// the holes freed ones leave stay resident otherwise (the dense analysis at n = 2,000 peaked 1.5 GB higher
    /// without it). Cheap against work on matrices of that size (the next allocation there faults its pages in
    /// again), so long computations call it between their large phases. A no-op where the fixed threshold is not in
    /// effect.
    /// </summary>
    public static void Trim()
    {
        if (!FixedThreshold)
            return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
