namespace Tangent.Theory;

/// <summary>Benign-overfitting quantities of Bartlett et al. 2020.</summary>
public static class BenignOverfitting
{
    /// <summary>r_k, R_k for every k and k* for sample size <paramref name="n"/> and constant <paramref name="b"/>
    /// (eigenvalues sorted descending first).</summary>
    public static EffectiveRanks Ranks(double[] eigenvalues, int n, double b = 1.0)
    {
        var l = eigenvalues.Select(v => Math.Max(v, 0)).OrderByDescending(v => v).ToArray();
        int count = l.Length;
        var tail = new double[count + 1];
        var tail2 = new double[count + 1];
        for (int i = count - 1; i >= 0; i--)
        {
            tail[i] = tail[i + 1] + l[i];
            tail2[i] = tail2[i + 1] + l[i] * l[i];
        }
        var r = new double[count];
        var bigR = new double[count];
        int kStar = -1;
        for (int k = 0; k < count; k++)
        {
            r[k] = l[k] > 0 ? tail[k] / l[k] : 0;
            bigR[k] = tail2[k] > 0 ? tail[k] * tail[k] / tail2[k] : 0;
            if (kStar < 0 && r[k] >= b * n)
                kStar = k;
        }
        return new EffectiveRanks(r, bigR, kStar);
    }
}
