using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Tangent.Native;

/// <summary>
/// LibTorch's CPU build links Intel MKL, which asks <c>mkl_serv_intel_cpu_true()</c> whether the CPU is Intel's and
/// otherwise takes its AVX2 code paths: on an AVX-512 AMD EPYC that halves float32 GEMM throughput
/// (docs/performance.md). <see cref="EnableAnyCpu"/> overwrites that function in the loaded libtorch_cpu.so with
/// <c>return 1</c>, so MKL dispatches on the instruction set alone. It is opt-in: it relies on an undocumented MKL
/// internal and changes which kernels run (results differ in the last bits). The tangent CLI applies it at start-up
/// when TANGENT_MKL_ANY_CPU=1; Linux on x86-64 only, before the first matrix product.
/// </summary>
public static class MklDispatch
{
    private const string Symbol = "mkl_serv_intel_cpu_true";
    private const int ProtRead = 1,
        ProtWrite = 2,
        ProtExec = 4;

    // mov eax, 1; ret
    private static readonly byte[] ReturnOne = [0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3];

    [DllImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static extern int Mprotect(IntPtr address, UIntPtr length, int protection);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int VendorCheck();

    private static readonly Lock Gate = new();
    private static string? state;

    /// <summary>What MKL's vendor check answers in this process: "intel" (1) or "other" (0), or why it cannot be
    /// read.</summary>
    public static string VendorCheckAnswer()
    {
        var address = Find(out string? why);
        if (address == IntPtr.Zero)
            return why!;
        return Marshal.GetDelegateForFunctionPointer<VendorCheck>(address)() != 0 ? "intel" : "other";
    }

    /// <summary>
    /// Makes MKL's vendor check answer "Intel" in this process (once; idempotent and thread-safe). Returns what
    /// happened, in words: patched, already Intel, or why not (no x86-64 Linux, symbol absent, mprotect refused).
    /// </summary>
    public static string EnableAnyCpu()
    {
        lock (Gate)
        {
            if (state is not null)
                return state;
            var address = Find(out string? why);
            if (address == IntPtr.Zero)
                return state = why!;
            if (Marshal.GetDelegateForFunctionPointer<VendorCheck>(address)() != 0)
                return state = "MKL already takes its Intel paths here";
            long page = Environment.SystemPageSize;
            var start = new IntPtr(address.ToInt64() & ~(page - 1));
            var length = new UIntPtr((ulong)(address.ToInt64() - start.ToInt64() + ReturnOne.Length));
            if (Mprotect(start, length, ProtRead | ProtWrite | ProtExec) != 0)
                return state = $"mprotect refused ({Marshal.GetLastPInvokeError()}); MKL left as it was";
            Marshal.Copy(ReturnOne, 0, address, ReturnOne.Length);
            Mprotect(start, length, ProtRead | ProtExec);
            return state = "MKL's vendor check patched: Intel code paths on this CPU";
        }
    }

    private static IntPtr Find(out string? why)
    {
        why = null;
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            why = "only on Linux x86-64";
            return IntPtr.Zero;
        }
        using (zeros(1)) { } // LibTorch is loaded by now
        string? path = File.ReadLines("/proc/self/maps")
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[5].EndsWith("/libtorch_cpu.so", StringComparison.Ordinal))
            .Select(f => f[5])
            .FirstOrDefault();
        if (path is null || !NativeLibrary.TryLoad(path, out var handle))
        {
            why = "libtorch_cpu.so is not loaded";
            return IntPtr.Zero;
        }
        if (!NativeLibrary.TryGetExport(handle, Symbol, out var address))
        {
            why = $"{Symbol} is not exported by this LibTorch";
            return IntPtr.Zero;
        }
        return address;
    }
}
