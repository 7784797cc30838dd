using System.Reflection;
using TorchSharp;

namespace Tangent.Native;

/// <summary>Versions of Tangent and of the tensor engine, for run.json and <c>tangent --version</c>.</summary>
public static class TorchRuntime
{
    /// <summary>Tangent's version, e.g. <c>0.1.0</c>.</summary>
    public static string TangentVersion => InformationalVersion(typeof(TorchRuntime).Assembly).Split('+')[0];

    /// <summary>The git commit Tangent was built from, when the build knew it.</summary>
    public static string? GitCommit
    {
        get
        {
            var parts = InformationalVersion(typeof(TorchRuntime).Assembly).Split('+');
            return parts.Length > 1 && parts[1].Length >= 7 ? parts[1] : null;
        }
    }

    /// <summary>The TorchSharp assembly version, e.g. <c>0.107.0</c>.</summary>
    public static string TorchSharpVersion => InformationalVersion(typeof(torch).Assembly).Split('+')[0];

    /// <summary>The LibTorch version TorchSharp runs on (loads the native library).</summary>
    public static string LibTorchVersion => torch.__version__;

    /// <summary>Intra-op threads LibTorch uses.</summary>
    public static int Threads => torch.get_num_threads();

    private static string InformationalVersion(Assembly a) =>
        a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? a.GetName().Version?.ToString()
        ?? "unknown";
}
