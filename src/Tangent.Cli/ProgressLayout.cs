using Spectre.Console;

namespace Tangent.Cli;

/// <summary>
/// The terminal bar's layout: description, a 20-cell bar, percentage and elapsed time on one line that fits the
/// terminal (80 columns included): a description too long for what is left is cut with an ellipsis instead of
/// wrapping the line.
/// </summary>
internal static class ProgressLayout
{
    /// <summary>Cells of the bar itself.</summary>
    public const int BarWidth = 20;

    // Percentage ("100%"), elapsed ("00:00:00") and the spaces between the four columns.
    private const int Fixed = BarWidth + 4 + 8 + 3;

    /// <summary>The columns of a progress display laid out this way.</summary>
    public static ProgressColumn[] Columns() =>
        [
            new TaskDescriptionColumn { Alignment = Justify.Left },
            new ProgressBarColumn { Width = BarWidth },
            new PercentageColumn(),
            new ElapsedTimeColumn(),
        ];

    /// <summary>The description cut to what a line of <paramref name="width"/> columns leaves (at least 10), as
    /// markup-escaped text.</summary>
    public static string Description(string text, int width)
    {
        int room = Math.Max(10, width - Fixed - 1);
        string cut = text.Length <= room ? text : text[..(room - 1)] + "…";
        return Markup.Escape(cut);
    }

    /// <summary>The terminal's width in columns.</summary>
    public static int TerminalWidth => AnsiConsole.Profile.Width;
}
