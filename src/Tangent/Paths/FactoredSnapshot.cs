using Tangent.Kernels.LowRank;
using Tangent.Store;
using static TorchSharp.torch;

namespace Tangent.Paths;

/// <summary>
/// A kernel snapshot in factored form, O(N·r) instead of O(N²): K̃_SS = V Λ Vᵀ (V [N × r] orthonormal,
/// Λ the top-r eigenvalues, descending) and the cross kernel on the same directions, K̃_QS = F Vᵀ (F [M × r]),
/// with N = n (traced) or n·p and M = m or m·p. For a Nyström snapshot F = B_Q Z_r Σ_r (the rank-r part of C_Q W⁺
/// C_Sᵀ); for a dense snapshot truncated to rank r, F = K_QS V (the part of K_QS that sees span V). Outputs, learning
/// rate and step as in <see cref="Snapshot"/>.
/// </summary>
/// <param name="Step">The step, before its update.</param>
/// <param name="LearningRate">The learning rate of that step.</param>
/// <param name="Values">Λ [r], descending.</param>
/// <param name="Vectors">V [N × r], orthonormal columns.</param>
/// <param name="QueryFactor">F [M × r], K̃_QS = F Vᵀ.</param>
/// <param name="Us">U_S [n, p].</param>
/// <param name="Uq">U_Q [m, p].</param>
/// <param name="Certificate">What the truncation kept, with its error bound on ‖K − K̃‖₂.</param>
public sealed record FactoredSnapshot(
    int Step,
    double LearningRate,
    Tensor Values,
    Tensor Vectors,
    Tensor QueryFactor,
    Tensor Us,
    Tensor Uq,
    KernelCertificate Certificate
) : IDisposable
{
    /// <summary>H_S = J_S M m [n, p]: the momentum's image on the training outputs (null: not recorded; see
    /// <see cref="Snapshot.Hs"/>).</summary>
    public Tensor? Hs { get; init; }

    /// <summary>H_Q = J_Q M m [m, p] (null: not recorded).</summary>
    public Tensor? Hq { get; init; }

    /// <summary>The rank r.</summary>
    public int Rank => (int)Values.shape[0];

    /// <summary>Every eigenvalue the approximation computed, descending (Nyström: all of K̃'s; truncation: all of
    /// K's): what says which rank would reach a given threshold.</summary>
    public double[] Spectrum { get; init; } = [];

    /// <summary>The smallest rank whose eigenvalue is at most <paramref name="level"/> among <see cref="Spectrum"/>
    /// (null: none is).</summary>
    public int? RankReaching(double level)
    {
        int i = Array.FindIndex(Spectrum, x => x <= level);
        return i < 0 ? null : i + 1;
    }

    /// <summary>Whether a run's snapshot directory holds a factored snapshot.</summary>
    public static bool IsFactored(string run, int step) =>
        File.Exists(Path.Combine(Snapshot.Directory(run, step), "V.npy"));

    /// <summary>
    /// The rank-r truncation of a dense snapshot: the top-r eigenpairs of K_SS (r ≤ N) and F = K_QS V. Its
    /// certificate is exact: ‖K − K̃_r‖₂ = λ_{r+1}, judged against <paramref name="threshold"/> (a kernel
    /// eigenvalue; captured when λ_r ≤ threshold / <paramref name="captureFactor"/>).
    /// </summary>
    public static FactoredSnapshot Truncate(Snapshot dense, int rank, double threshold, double captureFactor = 10)
    {
        using var scope = NewDisposeScope();
        var k = dense.Kss.to_type(ScalarType.Float64);
        var (lambda, v) = linalg.eigh((k + k.T) / 2);
        lambda = lambda.flip(0);
        v = v.flip(1);
        int r = (int)Math.Min(rank, lambda.shape[0]);
        var values = lambda.narrow(0, 0, r).clamp_min(0).contiguous();
        var vectors = v.narrow(1, 0, r).contiguous();
        var f = dense.Kqs.to_type(ScalarType.Float64).matmul(vectors);
        double[] all = lambda.clamp_min(0).data<double>().ToArray();
        double next = all.Length > r ? all[r] : 0;
        double level = threshold / captureFactor;
        int needed = Array.FindIndex(all, x => x <= level);
        var certificate = new KernelCertificate(
            all.Sum(),
            all.Take(r).Sum(),
            next,
            next,
            next,
            0,
            threshold,
            all[r - 1],
            all[r - 1] <= level || r == all.Length,
            needed < 0 ? all.Length : needed + 1,
            all.Take(r).Count(x => x >= threshold)
        );
        return new FactoredSnapshot(
            dense.Step,
            dense.LearningRate,
            values.MoveToOuterDisposeScope(),
            vectors.MoveToOuterDisposeScope(),
            f.MoveToOuterDisposeScope(),
            dense.Us.alias().MoveToOuterDisposeScope(),
            dense.Uq.alias().MoveToOuterDisposeScope(),
            certificate
        )
        {
            Spectrum = all,
            Hs = dense.Hs?.alias().MoveToOuterDisposeScope(),
            Hq = dense.Hq?.alias().MoveToOuterDisposeScope(),
        };
    }

    /// <summary>Writes V.npy, Lambda.npy, F_Q.npy, U_S.npy, U_Q.npy (float64), certificate.json and, when recorded,
    /// H_S.npy and H_Q.npy.</summary>
    public void Write(string run)
    {
        string dir = Snapshot.Directory(run, Step);
        Npy.Write(Path.Combine(dir, "Lambda.npy"), Values.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "F_Q.npy"), QueryFactor.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "U_S.npy"), Us.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "U_Q.npy"), Uq.to_type(ScalarType.Float64));
        Npy.Write(Path.Combine(dir, "spectrum.npy"), Spectrum, Spectrum.Length);
        AtomicFile.WriteAllText(Path.Combine(dir, "certificate.json"), Json.Serialize(Certificate));
        if (Hs is not null && Hq is not null)
        {
            Npy.Write(Path.Combine(dir, "H_S.npy"), Hs.to_type(ScalarType.Float64));
            Npy.Write(Path.Combine(dir, "H_Q.npy"), Hq.to_type(ScalarType.Float64));
        }
        Npy.Write(Path.Combine(dir, "V.npy"), Vectors.to_type(ScalarType.Float64)); // last: marks it complete
    }

    /// <summary>Reads factored snapshot <paramref name="step"/> of <paramref name="run"/>.</summary>
    public static FactoredSnapshot Read(string run, int step, double lr)
    {
        string dir = Snapshot.Directory(run, step);
        string certificate = Path.Combine(dir, "certificate.json");
        string hs = Path.Combine(dir, "H_S.npy"),
            hq = Path.Combine(dir, "H_Q.npy");
        bool momentum = File.Exists(hs) && File.Exists(hq);
        ConfigException.Require(
            File.Exists(certificate),
            "RUN",
            $"the snapshot file '{certificate}' is missing",
            "the run directory is incomplete; train it again"
        );
        return new FactoredSnapshot(
            step,
            lr,
            Snapshot.Load(Path.Combine(dir, "Lambda.npy")),
            Snapshot.Load(Path.Combine(dir, "V.npy")),
            Snapshot.Load(Path.Combine(dir, "F_Q.npy")),
            Snapshot.Load(Path.Combine(dir, "U_S.npy")),
            Snapshot.Load(Path.Combine(dir, "U_Q.npy")),
            Json.Deserialize<KernelCertificate>(File.ReadAllText(certificate))
        )
        {
            Spectrum = Npy.Read(Path.Combine(dir, "spectrum.npy")).Data,
            Hs = momentum ? Snapshot.Load(hs) : null,
            Hq = momentum ? Snapshot.Load(hq) : null,
        };
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Values.Dispose();
        Vectors.Dispose();
        QueryFactor.Dispose();
        Us.Dispose();
        Uq.Dispose();
        Hs?.Dispose();
        Hq?.Dispose();
    }
}
