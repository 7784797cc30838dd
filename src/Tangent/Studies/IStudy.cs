using System.Text.Json.Nodes;
using Tangent.Commands;
using Tangent.Reports;
using Tangent.Store;

namespace Tangent.Studies;

/// <summary>A reproducible experiment that ends in a verdict table (<c>tangent study NAME</c>).</summary>
public interface IStudy
{
    /// <summary>Command-line name.</summary>
    string Name { get; }

    /// <summary>One-line description for <c>--list</c>.</summary>
    string Description { get; }

    /// <summary>The config of a preset (quick: under 3 minutes on 2 cores; full: under 30).</summary>
    object Preset(string preset);

    /// <summary>Runs the study into <paramref name="run"/> (figures and arrays); the caller writes summary, verdicts
    /// and report.</summary>
    StudyOutcome Run(
        object config,
        RunDirectory run,
        HtmlReport report,
        IProgress<ProgressReport>? progress,
        CancellationToken cancel
    );
}
