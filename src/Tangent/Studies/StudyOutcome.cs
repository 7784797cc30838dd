using System.Text.Json.Nodes;
using Tangent.Commands;
using Tangent.Reports;
using Tangent.Store;

namespace Tangent.Studies;

/// <summary>What a study produced: its verdicts and named scalar results.</summary>
public sealed record StudyOutcome(
    IReadOnlyList<Verdict> Verdicts,
    IReadOnlyList<KeyValuePair<string, object?>> Summary
);
