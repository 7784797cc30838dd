using System.Runtime.InteropServices;
using Tangent.Native;

namespace Tangent.Tests.Native;

/// <summary>
/// MKL's vendor check, read without changing it, agrees with the CPU vendor the kernel reports in /proc/cpuinfo (the
/// outside reference): "intel" on GenuineIntel, "other" elsewhere. The patch itself is checked by .ci/run in a
/// separate process, so that no test here runs on patched kernels.
/// </summary>
public class MklDispatchTests
{
    [Fact]
    public void TheVendorCheckAgreesWithProcCpuinfo()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            Assert.Equal("only on Linux x86-64", MklDispatch.VendorCheckAnswer());
            return;
        }
        string vendor = File.ReadLines("/proc/cpuinfo").First(l => l.StartsWith("vendor_id", StringComparison.Ordinal));
        string expected = vendor.Contains("GenuineIntel", StringComparison.Ordinal) ? "intel" : "other";
        Assert.Equal(expected, MklDispatch.VendorCheckAnswer());
    }
}
