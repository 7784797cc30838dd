using System.Text.Json;
using System.Text.Json.Nodes;
using Tangent.Reports;
using Tangent.Runs;
using Tangent.Store;

namespace Tangent.Studies;

/// <summary>The explicit table of studies, and the shared parts of running one.</summary>
public static class StudyCatalog
{
    /// <summary>Every study, by name.</summary>
    public static IReadOnlyList<IStudy> All { get; } =
    [
        new BenignOverfittingStudy(),
        new DataPruningStudy(),
        new DoubleDescentStudy(),
        new DynamicalDecouplingStudy(),
        new ForwardForwardStudy(),
        new GrokkingStudy(),
        new ImplicitBiasStudy(),
        new LazyRichStudy(),
        new MemorizationStudy(),
        new ReservoirAblationStudy(),
        new SnrAdamWStudy(),
        new PacBayesStudy(),
        new UniformConvergenceStudy(),
    ];

    /// <summary>The one-line error for a preset name other than quick or full.</summary>
    public static ConfigException UnknownPreset(string preset) =>
        new("--preset", $"this study has no preset '{preset}'", "use quick or full");

    /// <summary>The study called <paramref name="name"/>, or a <see cref="ConfigException"/> listing the
    /// names.</summary>
    public static IStudy Find(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new ConfigException(
            "NAME",
            $"no study called '{name}'",
            $"choose one of {string.Join(", ", All.Select(s => s.Name))} (tangent study --list)"
        );

    /// <summary>
    /// Applies <c>key=value</c> overrides to a config record by its snake_case JSON keys (dots for nesting); values
    /// are JSON (numbers, true/false, [lists]) or bare strings (<see cref="ConfigOverride"/>). An unknown key or a
    /// bad value names the key.
    /// </summary>
    public static T Override<T>(T config, IEnumerable<string> assignments)
        where T : notnull =>
        ConfigOverride.Apply(
            config,
            assignments.Select(assignment =>
            {
                int eq = assignment.IndexOf('=');
                ConfigException.Require(
                    eq > 0,
                    "--set",
                    $"'{assignment}' is not key=value",
                    "pass e.g. --set seeds=50"
                );
                return new KeyValuePair<string, JsonNode?>(
                    assignment[..eq].Trim(),
                    ConfigOverride.ParseValue(assignment[(eq + 1)..].Trim())
                );
            }),
            "--set "
        );

    /// <summary>Runs a study into a run directory: figures from the study, then summary.json with every verdict as
    /// named fields, and the report.</summary>
    public static StudyOutcome Execute(
        IStudy study,
        object config,
        RunDirectory run,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    )
    {
        var report = new HtmlReport($"Tangent study: {study.Name}");
        var outcome = study.Run(config, run, report, progress, cancel);
        var summary = new List<KeyValuePair<string, object?>>();
        foreach (var v in outcome.Verdicts)
        {
            summary.Add(
                new(
                    $"verdict_{v.Name}",
                    v.Holds switch
                    {
                        true => "holds",
                        false => "fails",
                        null => "undecided",
                    }
                )
            );
            summary.Add(new($"verdict_{v.Name}_measured", v.Measured));
        }
        summary.AddRange(outcome.Summary);
        run.WriteSummary(summary);
        var withVerdicts = new HtmlReport($"Tangent study: {study.Name}")
            .Paragraph(study.Description)
            .Heading("Verdicts")
            .Table(
                ["claim", "measured", "criterion", "verdict"],
                outcome.Verdicts.Select(v =>
                    (IReadOnlyList<string>)
                        [
                            v.Claim,
                            v.Measured,
                            v.Criterion,
                            v.Holds switch
                            {
                                true => "holds",
                                false => "fails",
                                null => "undecided",
                            },
                        ]
                )
            );
        withVerdicts.Append(report);
        var (series, leftOut) = StudyExplorer.Collect(run.Path, cancel);
        if (series.Count > 0)
        {
            withVerdicts
                .Heading("Explore the recorded kernels")
                .Explorer(
                    series,
                    AnalyzeRun.ExplorerThreshold,
                    "The instantaneous kernels K_SS(t) each arm recorded; choose the arm with the run selector. Move "
                        + "the snapshot slider through training and the threshold slider over τ: the channel is every "
                        + "eigen-direction with λ ≥ τ·λ_max, re-partitioned as you move it; g is the output "
                        + "gradient ∂Φ/∂U (the residual U − Y under ½-MSE). Hover a point for its exact value; "
                        + "zooming one "
                        + "per-direction chart zooms the others."
                );
            if (leftOut is not null)
                withVerdicts.Paragraph(leftOut);
        }
        run.WriteReport(withVerdicts.Build());
        return outcome;
    }
}
