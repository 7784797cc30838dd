using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Tangent.Kernels;
using Tangent.Models;
using static TorchSharp.torch;

namespace Tangent.Bench;

/// <summary>
/// The eNTK sweep of the eNTK-engine issue, in one run: the 784→w→w→10 ReLU MLP (biases, NTK parameterization,
/// σ_w = √2, σ_b = 0.1, Gaussian inputs) for n ∈ {1024, 2048, 4096, 8192}, w ∈ {256, 1024}, float32, traced and
/// full output space. Each configuration runs in a child process so its peak memory (VmHWM) is its own. The same
/// configurations run in the PyTorch peer (bench/peer/ntk_peer.py, Debian python3-torch) when it is installed, and the
/// table reports ratios, plus the share of this machine's float32 GEMM rate measured in the same run.
/// </summary>
/// <remarks>
/// FLOP count ("useful" work of the structured contraction, the same for every method): per linear layer l with fan-in
/// a_l and fan-out o_l, traced: 2n²(p·o_l + a_l) (signal Gram + input Gram); full: 2(np)²·o_l + 2n²·a_l.
/// </remarks>
public static class EntkSweep
{
    private const int D = 784,
        P = 10;

    public sealed record Measurement(
        string Engine,
        string Method,
        int N,
        int W,
        string Mode,
        double Seconds,
        double Flops,
        double PeakMb,
        string? Note
    );

    public static void Run(TextWriter output, string[] args)
    {
        bool quick = args.Contains("--quick");
        var ns = List(args, "--n") ?? (quick ? [1024] : [1024, 2048, 4096, 8192]);
        var ws = List(args, "--w") ?? (quick ? [256] : [256, 1024]);
        double peak = GemmPeak(ScalarType.Float32);
        output.WriteLine(
            $"float32 GEMM (best of n = 2048, 4096): {peak / 1e9:F1} GFLOP/s on {get_num_threads()} threads"
        );
        var rows = new List<Measurement>();
        foreach (int w in ws)
        foreach (int n in ns)
        foreach (var mode in new[] { "trace", "full" })
        {
            if (mode == "full" && n > 2048)
                continue; // (10n)² float32 = 6.7 GB at n = 4096: beyond this sweep
            rows.Add(Child(n, w, mode, "rules"));
            output.WriteLine(Format(rows[^1], peak));
            foreach (var method in new[] { "layerwise", "functorch-jac" })
            {
                if (method == "functorch-jac" && (long)n * P * ParameterCount(w) * 4 > 6L << 30)
                    continue; // J beyond 6 GB
                if (Peer(n, w, mode, method) is { } m)
                {
                    rows.Add(m);
                    output.WriteLine(Format(m, peak));
                }
            }
        }
        output.WriteLine();
        output.WriteLine(Table(rows, peak));
    }

    /// <summary>One configuration, in this process; prints a JSON line.</summary>
    public static void RunOne(TextWriter output, string[] args)
    {
        int n = int.Parse(Arg(args, "--n"), CultureInfo.InvariantCulture),
            w = int.Parse(Arg(args, "--w"), CultureInfo.InvariantCulture);
        string mode = Arg(args, "--mode");
        var model = new Mlp(
            new MlpConfig
            {
                Widths = [D, w, w, P],
                WeightStd = Math.Sqrt(2),
                BiasStd = 0.1,
            },
            new Generator(0),
            ScalarType.Float32
        );
        using var x = randn(new long[] { n, D }, dtype: ScalarType.Float64, generator: new Generator(1))
            .to_type(ScalarType.Float32);
        var options = new NtkOptions { Traced = mode == "trace" };
        double best = double.MaxValue;
        int repeats = n <= 2048 ? 3 : 1;
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            using (var k = Ntk.Cross(model, x, x, options)) { }
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        output.WriteLine(JsonSerializer.Serialize(new { seconds = best, peak_mb = PeakRssMb() }));
    }

    /// <summary>Runs this bench in a child process with <paramref name="args"/>; returns its last JSON line (null
    /// when it failed) and the first line of its stderr.</summary>
    internal static (string? Json, string? Error) RunChild(IEnumerable<string> args)
    {
        var (file, prefix) = Self();
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in prefix.Concat(args))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        return p.ExitCode != 0 || line is null ? (null, stderr.Split('\n').FirstOrDefault()) : (line, null);
    }

    private static Measurement Child(int n, int w, string mode, string method)
    {
        var (line, error) = RunChild(["entk-one", "--n", $"{n}", "--w", $"{w}", "--mode", mode]);
        string stderr = error ?? "";
        if (line is null)
            return new Measurement(
                "Tangent",
                method,
                n,
                w,
                mode,
                double.NaN,
                Flops(n, w, mode),
                double.NaN,
                $"failed: {stderr}"
            );
        using var doc = JsonDocument.Parse(line);
        return new Measurement(
            "Tangent",
            method,
            n,
            w,
            mode,
            doc.RootElement.GetProperty("seconds").GetDouble(),
            Flops(n, w, mode),
            doc.RootElement.GetProperty("peak_mb").GetDouble(),
            null
        );
    }

    private static Measurement? Peer(int n, int w, string mode, string method)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "peer", "ntk_peer.py");
        if (!File.Exists(script) || !File.Exists("/usr/bin/python3"))
            return null;
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { script, "--method", method, "--n", $"{n}", "--w", $"{w}", "--mode", mode })
            psi.ArgumentList.Add(a);
        PeerEnvironment(psi);
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (stderr.Contains("No module named 'torch'"))
            return null;
        var line = stdout.Split('\n').LastOrDefault(l => l.StartsWith('{'));
        if (p.ExitCode != 0 || line is null)
            return new Measurement(
                "PyTorch",
                method,
                n,
                w,
                mode,
                double.NaN,
                Flops(n, w, mode),
                double.NaN,
                $"failed: {stderr.Trim().Split('\n').LastOrDefault()}"
            );
        using var doc = JsonDocument.Parse(line);
        return new Measurement(
            "PyTorch",
            method,
            n,
            w,
            mode,
            doc.RootElement.GetProperty("seconds").GetDouble(),
            Flops(n, w, mode),
            doc.RootElement.GetProperty("peak_mb").GetDouble(),
            null
        );
    }

    /// <summary>
    /// Debian's torch 1.13 uses the system BLAS: point it at OpenBLAS's OpenMP build when installed, with 2 threads,
    /// and at the AVX-512 kernels where the CPU has them (OpenBLAS 0.3.21 may not recognise newer CPU models).
    /// </summary>
    private static void PeerEnvironment(ProcessStartInfo psi)
    {
        const string openmp = "/usr/lib/x86_64-linux-gnu/openblas-openmp";
        if (Directory.Exists(openmp))
            psi.Environment["LD_LIBRARY_PATH"] = openmp;
        psi.Environment["OMP_NUM_THREADS"] = $"{get_num_threads()}";
        if (
            Environment.GetEnvironmentVariable("OPENBLAS_CORETYPE") is null
            && File.Exists("/proc/cpuinfo")
            && File.ReadAllText("/proc/cpuinfo").Contains(" avx512f")
        )
            psi.Environment["OPENBLAS_CORETYPE"] = "SkylakeX";
    }

    private static long ParameterCount(int w) => (long)D * w + w + (long)w * w + w + (long)w * P + P;

    public static double Flops(int n, int w, string mode)
    {
        var layers = new[] { (D, w), (w, w), (w, P) };
        double nn2 = (double)n * n;
        return layers.Sum(l =>
            mode == "trace" ? 2 * nn2 * (P * l.Item2 + l.Item1) : 2 * nn2 * P * P * l.Item2 + 2 * nn2 * l.Item1
        );
    }

    private static string Format(Measurement m, double peak) =>
        $"{m.Engine, -8} {m.Method, -14} n={m.N, 5} w={m.W, 5} {m.Mode, -5} {m.Seconds, 9:F3} s "
        + $"{m.Flops / m.Seconds / 1e9, 8:F1} GFLOP/s "
        + $"{m.Flops / m.Seconds / peak, 6:P0} of GEMM  peak {m.PeakMb, 7:F0} MB {m.Note}";

    private static string Table(List<Measurement> rows, double peak)
    {
        var sb = new StringBuilder();
        sb.AppendLine(
            "| n | w | mode | Tangent rules (s) | GFLOP/s | share of fp32 GEMM | peak MB | PyTorch layerwise (s) | "
                + "ratio | functorch jac (s) | ratio |"
        );
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var t in rows.Where(r => r.Engine == "Tangent"))
        {
            var lw = rows.FirstOrDefault(r =>
                r.Engine == "PyTorch" && r.Method == "layerwise" && r.N == t.N && r.W == t.W && r.Mode == t.Mode
            );
            var jac = rows.FirstOrDefault(r =>
                r.Engine == "PyTorch" && r.Method == "functorch-jac" && r.N == t.N && r.W == t.W && r.Mode == t.Mode
            );
            sb.AppendLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {t.N} | {t.W} | {t.Mode} | {t.Seconds:F3} | {t.Flops / t.Seconds / 1e9:F0} | "
                        + $"{t.Flops / t.Seconds / peak:P0} | {t.PeakMb:F0} | "
                        + $"{Cell(lw)} | {Ratio(lw, t)} | {Cell(jac)} | {Ratio(jac, t)} |"
                )
            );
        }
        sb.AppendLine();
        sb.AppendLine("ratio = peer seconds / Tangent seconds (above 1: Tangent is faster).");
        return sb.ToString();
        static string Cell(Measurement? m) =>
            m is null ? "—"
            : double.IsNaN(m.Seconds) ? "failed"
            : m.Seconds.ToString("F3", CultureInfo.InvariantCulture);
        static string Ratio(Measurement? m, Measurement t) =>
            m is null || double.IsNaN(m.Seconds)
                ? "—"
                : (m.Seconds / t.Seconds).ToString("F2", CultureInfo.InvariantCulture) + "×";
    }

    internal static double GemmPeak(ScalarType dtype) =>
        new[] { 2048, 4096 }.Max(n =>
        {
            using var a = randn(new long[] { n, n }, dtype: dtype);
            using var b = randn(new long[] { n, n }, dtype: dtype);
            using (a.matmul(b)) { }
            double best = double.MaxValue;
            for (int i = 0; i < 3; i++)
            {
                var clock = Stopwatch.StartNew();
                using (a.matmul(b)) { }
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
            return 2.0 * n * n * n / best;
        });

    internal static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(
                        line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                        CultureInfo.InvariantCulture
                    ) / 1024;
        return double.NaN;
    }

    internal static (string File, string[] Prefix) Self()
    {
        string host = Environment.ProcessPath!;
        return Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? (host, [typeof(EntkSweep).Assembly.Location])
            : (host, []);
    }

    private static int[]? List(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i < 0 || i + 1 >= args.Length
            ? null
            : args[i + 1].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    internal static string Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        if (i < 0 || i + 1 >= args.Length)
            throw new ArgumentException($"missing {name}");
        return args[i + 1];
    }
}
