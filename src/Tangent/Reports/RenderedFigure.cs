namespace Tangent.Reports;

/// <summary>A rendered figure: SVG text and PNG bytes of the same plot.</summary>
public sealed record RenderedFigure(string Name, string Caption, string Svg, byte[] Png);
