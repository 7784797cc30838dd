namespace Tangent.Runs;

/// <summary>One run a study needs: its sub-directory name under the study's run and its spec.</summary>
/// <param name="Name">Sub-directory (may contain '/' for nesting, e.g. <c>widths/w64</c>).</param>
/// <param name="Spec">What to train.</param>
public sealed record Arm(string Name, RunSpec Spec);
