using System.Text.Json.Nodes;
using Tangent.Commands;
using Tangent.Reports;
using Tangent.Store;

namespace Tangent.Studies;

/// <summary>One row of a study's verdict table: a claim, what was measured, the criterion, and whether it
/// holds.</summary>
/// <param name="Name">Field name in summary.json (<c>verdict_&lt;name&gt;</c>).</param>
/// <param name="Claim">The claim, in words, with its source.</param>
/// <param name="Measured">What was measured, in words and numbers.</param>
/// <param name="Criterion">The test applied.</param>
/// <param name="Holds">True, false, or null when it could not be decided.</param>
public sealed record Verdict(string Name, string Claim, string Measured, string Criterion, bool? Holds);
