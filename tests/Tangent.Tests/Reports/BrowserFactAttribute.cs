namespace Tangent.Tests.Reports;

/// <summary>
/// A test that drives a real browser: Debian's chromium through Playwright. Skipped, saying how to install it, where
/// chromium is missing, unless <c>TANGENT_REQUIRE_BROWSER=1</c> (CI) makes a missing browser a failure.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("TANGENT_REQUIRE_BROWSER") == "1" || File.Exists(Browser.Executable))
            return;
        Skip =
            $"chromium is not installed at {Browser.Executable}; 'apt-get install chromium' to run this browser test";
    }
}
