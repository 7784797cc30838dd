using System.Globalization;

namespace Tangent.Reports;

/// <summary>
/// How a report shows summary.json: its fields grouped under headings (verdicts; errors and losses; channel and
/// reservoir; path coupling and checks; kernel; run and timing) and labelled in words, each with the key it has in
/// summary.json beside it, so the table reads as prose and still points at the file.
/// </summary>
public static class SummaryGroups
{
    /// <summary>The headings, in the order they are shown; a field goes under the first whose rule it meets.</summary>
    public static readonly IReadOnlyList<(string Heading, Func<string, bool> Holds)> Groups =
    [
        ("Verdicts", k => k.StartsWith("verdict_", StringComparison.Ordinal)),
        ("Path coupling and checks", k => Has(k, "path_coupling", "direct_", "loss_identity", "frozen_", "propagator")),
        (
            "Channel and reservoir",
            k => Has(k, "channel", "reservoir", "share", "lambda", "threshold", "gramian", "_r0")
        ),
        ("Kernel", k => Has(k, "kernel", "alignment", "ntk", "drift")),
        ("Errors and losses", k => Has(k, "mse", "loss", "error", "accuracy", "risk", "metric", "noise")),
        (
            "Run and timing",
            k => Has(k, "seconds", "steps", "step", "window", "analysis_", "segments", "checkpoints", "traced", "seed")
        ),
        ("Other", _ => true),
    ];

    /// <summary>The heading <paramref name="key"/> goes under.</summary>
    public static string GroupOf(string key) => Groups.First(g => g.Holds(key)).Heading;

    /// <summary>A field's label in words: underscores to spaces, and the abbreviations spelled out
    /// (corr → correlation, rel → relative, lambda → λ, mse → MSE).</summary>
    public static string Label(string key)
    {
        var words = key.Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(w =>
                w switch
                {
                    "corr" => "correlation",
                    "rel" => "relative",
                    "lambda" => "λ",
                    "mse" => "MSE",
                    "ntk" => "NTK",
                    "krr" => "KRR",
                    "snr" => "SNR",
                    "max" => "max",
                    "r0" => "r₀",
                    "R0" => "R₀",
                    "dim" => "dimension",
                    "fro" => "(Frobenius)",
                    "op" => "(operator norm)",
                    "verdict" => "verdict:",
                    _ => w,
                }
            )
            .ToList();
        if (words.Count == 0)
            return key;
        words[0] =
            words[0].Length > 0 && char.IsLower(words[0][0])
                ? char.ToUpper(words[0][0], CultureInfo.InvariantCulture) + words[0][1..]
                : words[0];
        return string.Join(' ', words);
    }

    /// <summary>A summary value for a report cell: numbers by <see cref="HtmlReport.Number"/>, the rest as
    /// text.</summary>
    public static string Format(object? value) =>
        value switch
        {
            null => "",
            double d => HtmlReport.Number(d),
            float f => HtmlReport.Number(f),
            System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Number } e => HtmlReport.Number(
                e.GetDouble()
            ),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };

    private static bool Has(string key, params string[] parts) =>
        parts.Any(p => key.Contains(p, StringComparison.Ordinal));
}
