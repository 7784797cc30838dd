using Spectre.Console;
using Spectre.Console.Testing;
using Tangent.Cli;

namespace Tangent.Tests.Cli;

/// <summary>The terminal bar fits 80 columns, with the losses of a long description cut rather than wrapped.</summary>
public class ProgressLayoutTests
{
    [Fact]
    public void ABarWithALongDescriptionRendersOnOneLineOf80Columns()
    {
        var console = new TestConsole().Width(80).Interactive();
        string text = "train: training step 14000/20000  train 0.01057  test 0.007604 (at step 13000) and more";
        console
            .Progress()
            .AutoRefresh(false)
            .Columns(ProgressLayout.Columns())
            .Start(ctx =>
            {
                var task = ctx.AddTask(ProgressLayout.Description(text, 80), maxValue: 1.0);
                task.Value = 0.7;
                ctx.Refresh();
            });
        var lines = console.Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Contains("train")).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: '{l}'"));
        Assert.Contains(lines, l => l.Contains("70%") && l.Contains('…'));
    }

    [Fact]
    public void AShortDescriptionIsKept() =>
        Assert.Equal("sweep: 3 done", ProgressLayout.Description("sweep: 3 done", 80));
}
