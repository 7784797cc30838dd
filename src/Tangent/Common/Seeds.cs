using static TorchSharp.torch;

namespace Tangent;

/// <summary>
/// Seeds and the generators drawn from them. LibTorch's CPU generator (mt19937) keeps only the low 32 bits of a seed,
/// so seeds 2³² apart would silently give the same numbers; Tangent also derives streams as seed + k (data,
/// initialization, batches, repeats). Seeds are therefore limited to [0, <see cref="Max"/>], which leaves 2³¹ streams
/// above each one.
/// </summary>
public static class Seeds
{
    /// <summary>The largest seed accepted: 2³¹ − 1.</summary>
    public const long Max = int.MaxValue;

    /// <summary>Throws a <see cref="ConfigException"/> naming <paramref name="field"/> unless 0 ≤ seed ≤
    /// <see cref="Max"/>.</summary>
    public static long Check(long seed, string field) =>
        seed is >= 0 and <= Max
            ? seed
            : throw new ConfigException(
                field,
                $"must be in [0, {Max}], got {seed}",
                "use a smaller non-negative integer (LibTorch's generator keeps 32 bits of a seed)"
            );

    /// <summary>A generator seeded with <paramref name="seed"/> (checked: distinct valid seeds give distinct
    /// streams).</summary>
    public static Generator Generator(long seed)
    {
        ConfigException.Require(
            seed is >= 0 and < 1L << 32,
            "seed",
            $"derived seed {seed} is outside [0, 2³²)",
            $"use a seed in [0, {Max}]"
        );
        return new TorchSharp.torch.Generator((ulong)seed);
    }

    /// <summary>
    /// Checks every <c>long Seed</c> property of <paramref name="config"/> and of the records nested in it, naming the
    /// JSON key (studies' configs, whose seeds are read in many places).
    /// </summary>
    public static void CheckAll(object config, string prefix = "")
    {
        foreach (var p in config.GetType().GetProperties())
        {
            if (p.GetIndexParameters().Length > 0 || p.SetMethod is null)
                continue;
            string key = prefix + (Json.Options.PropertyNamingPolicy?.ConvertName(p.Name) ?? p.Name);
            var value = p.GetValue(config);
            if (p.Name == "Seed" && value is long seed)
                Check(seed, key);
            else if (
                value is not null
                && p.PropertyType.IsClass
                && p.PropertyType != typeof(string)
                && p.PropertyType.Namespace?.StartsWith("Tangent", StringComparison.Ordinal) == true
            )
                CheckAll(value, key + ".");
        }
    }
}
