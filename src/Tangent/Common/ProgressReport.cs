namespace Tangent;

/// <summary>Progress of a long computation: a stage name, the fraction done in [0, 1], and a short status.</summary>
public sealed record ProgressReport(string Stage, double Fraction, string Message);
