using Tangent.Native;

namespace Tangent.Tests.Native;

/// <summary>On Linux with glibc the fixed mmap threshold takes effect (it keeps long full-batch runs from fragmenting
/// the heap).</summary>
public class AllocatorTests
{
    [Fact]
    public void FixedMmapThresholdTakesEffectOnGlibc()
    {
        bool glibc = OperatingSystem.IsLinux() && File.Exists("/etc/debian_version");
        bool fixedThreshold = Allocator.FixMmapThreshold();
        if (glibc && Environment.GetEnvironmentVariable("TANGENT_KEEP_MALLOC") != "1")
            Assert.True(fixedThreshold);
        Assert.Equal(fixedThreshold, Allocator.FixMmapThreshold()); // idempotent
    }
}
