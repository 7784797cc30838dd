using ScottPlot;
using SkiaSharp;

namespace Tangent.Reports;

/// <summary>
/// Resolves <see cref="Figure.FontName"/> to the DejaVu Sans file embedded in this assembly, so figures render the
/// same from a build output, a published app, a dotnet tool or a user's project that references the package.
/// </summary>
internal sealed class ShippedFontResolver : IFontResolver
{
    /// <summary>Manifest name of the embedded font.</summary>
    public const string ResourceName = "Tangent.Reports.Fonts.DejaVuSans.ttf";

    private readonly SKData data;

    private ShippedFontResolver(SKData data) => this.data = data;

    /// <summary>Reads the embedded font; throws naming the resource when the build left it out.</summary>
    public static ShippedFontResolver Load()
    {
        using var stream =
            typeof(ShippedFontResolver).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"Tangent's figure font is missing: resource {ResourceName} is not embedded; rebuild Tangent"
            );
        return new ShippedFontResolver(SKData.Create(stream));
    }

    /// <inheritdoc/>
    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
        Matches(fontName) ? SKTypeface.FromData(data) : null;

    /// <inheritdoc/>
    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        Matches(fontName) ? SKTypeface.FromData(data) : null;

    private static bool Matches(string fontName) => string.Equals(fontName, Figure.FontName, StringComparison.Ordinal);
}
