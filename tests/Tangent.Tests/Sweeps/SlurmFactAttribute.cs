using System.Diagnostics;

namespace Tangent.Tests.Sweeps;

/// <summary>
/// A test against the real Slurm scheduler. It runs when sbatch is installed and the cluster answers (CI starts a
/// one-node cluster with <c>.ci/slurm start</c> and sets <c>TANGENT_REQUIRE_SLURM=1</c>, so there it never skips);
/// elsewhere it is skipped with a message saying how to set the cluster up.
/// </summary>
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("TANGENT_REQUIRE_SLURM") == "1" || ClusterAnswers())
            return;
        Skip =
            "Slurm is not installed or not running on this machine; run '.ci/slurm start' as root (it installs "
            + "slurm-wlm and munge and starts a one-node cluster) to run this test";
    }

    private static bool ClusterAnswers()
    {
        if (Tangent.Sweeps.SlurmClient.Find("sinfo") is not { } sinfo)
            return false;
        try
        {
            using var p = Process.Start(
                new ProcessStartInfo(sinfo, ["-h", "-o", "%T"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                }
            )!;
            string output = p.StandardOutput.ReadToEnd();
            bool nodeUp = output.Contains("idle") || output.Contains("mixed") || output.Contains("alloc");
            return p.WaitForExit(10_000) && p.ExitCode == 0 && nodeUp;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
