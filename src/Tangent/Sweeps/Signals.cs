using System.Runtime.InteropServices;

namespace Tangent.Sweeps;

/// <summary>POSIX signals to child processes (SIGTERM asks a tangent task to stop at its next safe point).</summary>
internal static class Signals
{
    /// <summary>SIGTERM.</summary>
    public const int Terminate = 15;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; false if it is gone.</summary>
    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
