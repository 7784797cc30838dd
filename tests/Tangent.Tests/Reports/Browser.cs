using Microsoft.Playwright;

namespace Tangent.Tests.Reports;

/// <summary>Opens report files in headless Debian chromium through Playwright (nothing is downloaded).</summary>
public static class Browser
{
    /// <summary>Debian's chromium (package chromium); TANGENT_CHROMIUM overrides.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("TANGENT_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>
    /// Runs <paramref name="body"/> on <paramref name="file"/> opened in a fresh headless browser, after the page's
    /// explorer reports itself drawn; page errors fail the test.
    /// </summary>
    public static async Task Open(string file, Func<IPage, Task> body)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(
            new BrowserTypeLaunchOptions
            {
                ExecutablePath = Executable,
                Headless = true,
                // As root in a closed network: no sandbox, and no background connections that the network refuses.
                Args =
                [
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            }
        );
        var page = await browser.NewPageAsync(
            new BrowserNewPageOptions
            {
                ViewportSize = new() { Width = 1200, Height = 900 },
            }
        );
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
                errors.Add(m.Text);
        };
        await page.GotoAsync(new Uri(Path.GetFullPath(file)).AbsoluteUri);
        await page.WaitForSelectorAsync("body[data-explorer-ready=true]", new() { Timeout = 30_000 });
        await body(page);
        Assert.True(errors.Count == 0, "page errors: " + string.Join(" | ", errors));
    }

    /// <summary>The full-precision value a read-out holds (its data-value attribute).</summary>
    public static async Task<double> Value(IPage page, string id) =>
        double.Parse(
            await page.Locator("#" + id).GetAttributeAsync("data-value") ?? "NaN",
            System.Globalization.CultureInfo.InvariantCulture
        );

    /// <summary>Types τ into the threshold box and commits it, as a user does.</summary>
    public static async Task SetThreshold(IPage page, double tau)
    {
        await page.Locator("#tx-tau").FillAsync(tau.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#tx-tau").DispatchEventAsync("change");
    }

    /// <summary>Moves the snapshot slider to index <paramref name="k"/> (keyboard: Home, then k times
    /// ArrowRight).</summary>
    public static async Task SetSnapshot(IPage page, int k)
    {
        var slider = page.Locator("#tx-time");
        await slider.FocusAsync();
        await slider.PressAsync("Home");
        for (int i = 0; i < k; i++)
            await slider.PressAsync("ArrowRight");
    }
}
