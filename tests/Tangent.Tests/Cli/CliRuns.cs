using Tangent.Cli;

namespace Tangent.Tests.Cli;

/// <summary>Shared steps of the tests that drive the command line end to end.</summary>
public static class CliRuns
{
    /// <summary>Runs <c>tangent train --config <paramref name="config"/> --out <paramref name="run"/></c>, then
    /// <c>tangent analyze</c> on it; fails the test with the command's stderr if either does not succeed.</summary>
    public static void TrainAndAnalyze(string config, string run)
    {
        var stderr = new StringWriter();
        int code = TangentCli.Run(["train", "--config", config, "--out", run], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());
        code = TangentCli.Run(["analyze", run], new StringWriter(), stderr);
        Assert.True(code == 0, stderr.ToString());
    }
}
