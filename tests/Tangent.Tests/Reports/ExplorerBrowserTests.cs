using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Tangent.Channel;
using Tangent.Cli;
using Tangent.Paths;
using Tangent.Store;
using Tangent.Tests.Cli;
using Tangent.Training;
using static TorchSharp.torch;

namespace Tangent.Tests.Reports;

/// <summary>
/// The interactive reports in a real browser: what the page shows after a user moves its sliders equals what
/// Tangent's own <see cref="SpectralPartition"/> gives on the run's arrays. Tolerance 1e-9 relative: the page sums the
/// same float64 energies in another order (and reads them back from shortest round-trip JSON), which moves a share by
/// a few ulps, never 1e-9.
/// </summary>
public class ExplorerBrowserTests
{
    private static void Close(double expected, double actual, string what) =>
        Assert.True(
            Math.Abs(expected - actual) <= 1e-9 * Math.Abs(expected) + 1e-15,
            $"{what}: page shows {actual:R}, Tangent computes {expected:R}"
        );

    private static double[] Row(string run, string name, int k)
    {
        var a = Npy.Read(Path.Combine(run, "arrays", name + ".npy"));
        int n = (int)a.Shape[1];
        return a.Data.Skip(k * n).Take(n).ToArray();
    }

    // The channel size SpectralPartition gives for the spectrum λ at τ (a diagonal operator has that spectrum).
    private static int ChannelSize(double[] lambda, double tau)
    {
        using var d = diag(tensor(lambda, dtype: ScalarType.Float64));
        using var split = SpectralPartition.Of(d, tau);
        return split.ChannelSize;
    }

    private static double Share(double[] energy, int from, int to)
    {
        double total = energy.Sum();
        return total == 0 ? 0 : energy.Skip(from).Take(to - from).Sum() / total;
    }

    [BrowserFact]
    public async Task DemoReportRepartitionsAtEveryThresholdAndSnapshotAsSpectralPartitionDoes()
    {
        using var dir = new TempDir();
        string run = dir.File("demo");
        var stderr = new StringWriter();
        Assert.True(TangentCli.Run(["demo", "--out", run], new StringWriter(), stderr) == 0, stderr.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        double S(string key) => summary.RootElement.GetProperty(key).GetDouble();
        var steps = Npy.Read(Path.Combine(run, "arrays", "checkpoint_steps.npy")).Data;
        int last = steps.Length - 1;
        using var kFinal = Npy.Read(Path.Combine(run, "arrays", "K_SS_final.npy")).ToTensor();

        await Browser.Open(
            Path.Combine(run, "report.html"),
            async page =>
            {
                // As opened: the last snapshot at the demo's τ = 0.01, the numbers of summary.json.
                Assert.Equal(S("channel_size"), await Browser.Value(page, "tx-dim"));
                Close(S("channel_share_residual"), await Browser.Value(page, "tx-res-share"), "residual share");
                Close(S("reservoir_share_label_noise"), await Browser.Value(page, "tx-noise-share"), "noise share");

                // The threshold box: the channel dimension SpectralPartition gives on the final K_SS at each τ.
                foreach (double tau in new[] { 0.3, 0.05, 1e-3, 1e-5, 1e-9 })
                {
                    await Browser.SetThreshold(page, tau);
                    using var split = SpectralPartition.Of(kFinal, tau);
                    Assert.Equal(split.ChannelSize, await Browser.Value(page, "tx-dim"));
                    Close(
                        Share(
                            Row(run, "residual_projections", last).Select(c => c * c).ToArray(),
                            0,
                            split.ChannelSize
                        ),
                        await Browser.Value(page, "tx-res-share"),
                        $"residual share at τ = {tau}"
                    );
                }

                // The snapshot slider: back at τ = 0.01, the first snapshot is summary.json's initial state.
                await Browser.SetThreshold(page, 0.01);
                await Browser.SetSnapshot(page, 0);
                Assert.Equal(steps[0], await Browser.Value(page, "tx-step"));
                Assert.Equal(S("channel_size_initial"), await Browser.Value(page, "tx-dim"));
                Close(S("channel_share_residual_initial"), await Browser.Value(page, "tx-res-share"), "initial share");

                // A middle snapshot: the arrays' row k, partitioned by SpectralPartition.
                int k = steps.Length / 2;
                await Browser.SetSnapshot(page, k);
                Assert.Equal(steps[k], await Browser.Value(page, "tx-step"));
                var lambda = Row(run, "spectrum", k);
                int size = ChannelSize(lambda, 0.01);
                Assert.Equal(size, await Browser.Value(page, "tx-dim"));
                var noise = Row(run, "noise_projections", k).Select(c => c * c).ToArray();
                Close(Share(noise, size, noise.Length), await Browser.Value(page, "tx-noise-share"), "noise share");

                // Hover read-out: the largest eigenvalue of snapshot k, to the 8 digits the label prints.
                var point = page.Locator("#tx-spectrum .scatterlayer .trace").First.Locator(".points path").First;
                await page.Locator("#tx-spectrum").ScrollIntoViewIfNeededAsync();
                var box = await point.BoundingBoxAsync() ?? throw new InvalidOperationException("no point drawn");
                await page.Mouse.MoveAsync(box.X + box.Width / 2 + 1, box.Y + box.Height / 2 + 1, new() { Steps = 4 });
                var label = page.Locator("#tx-spectrum .hoverlayer .hovertext");
                await label.First.WaitForAsync();
                string hover = await label.First.TextContentAsync() ?? "";
                var match = System.Text.RegularExpressions.Regex.Match(hover, "λ = ([-−0-9.e+]+)");
                Assert.True(match.Success, $"hover label '{hover}' shows no λ");
                string shown = match.Groups[1].Value;
                double hovered = double.Parse(shown.Replace('−', '-'), CultureInfo.InvariantCulture);
                Assert.True(
                    Math.Abs(hovered - lambda[0]) <= 1e-7 * lambda[0],
                    $"hover shows {shown}, λ_1 = {lambda[0]:R}"
                );

                // Linked zoom: zooming the spectrum zooms the projection and transfer charts to the same range.
                await page.EvaluateAsync("Plotly.relayout('tx-spectrum', {'xaxis.range': [2, 9]})");
                foreach (var chart in new[] { "tx-projections", "tx-transfer" })
                    await page.WaitForFunctionAsync(
                        $"(() => {{ const r = document.getElementById('{chart}').layout.xaxis.range; "
                            + "return r && r[0] === 2 && r[1] === 9; })()"
                    );
            }
        );
    }

    [BrowserFact]
    public async Task AnalyzeReportShowsEachSnapshotsKernelPartitionedAsSpectralPartitionDoes()
    {
        using var dir = new TempDir();
        string config = dir.File("config.json");
        File.WriteAllText(
            config,
            """
            {
              "task": { "kind": "teacher", "train_samples": 24, "test_samples": 30, "dimension": 3, "outputs": 2,
                        "teacher_width": 8, "noise_std": 0.2 },
              "model": { "widths": [3, 256, 2], "activation": "tanh", "parameterization": "ntk" },
              "optimizer": { "kind": "gd", "lr": 0.5 },
              "loss": "half_mse",
              "steps": 200,
              "log_every": 20,
              "seed": 1,
              "record": { "schedule": "log", "count": 8 }
            }
            """
        );
        string run = dir.File("run");
        CliRuns.TrainAndAnalyze(config, run);
        var index = SnapshotIndex.Read(run);
        using var y = Npy.Read(Path.Combine(run, "arrays", "Y_S.npy")).ToTensor().to_type(ScalarType.Float64);
        using var clean = Npy.Read(Path.Combine(run, "arrays", "Y_S_clean.npy")).ToTensor().to_type(ScalarType.Float64);
        using var noise = y - clean;

        await Browser.Open(
            Path.Combine(run, "analysis", "report.html"),
            async page =>
            {
                foreach (int k in new[] { 0, 3, index.Steps.Count - 1 })
                {
                    await Browser.SetSnapshot(page, k);
                    Assert.Equal(index.Steps[k], await Browser.Value(page, "tx-step"));
                    using var snap = Snapshot.Read(run, index.Steps[k], index.LearningRates[k]);
                    using var g = Losses.OutputGradient(index.Loss, snap.Us.to_type(ScalarType.Float64), y);
                    foreach (double tau in new[] { 1e-1, 1e-3, 1e-6 })
                    {
                        await Browser.SetThreshold(page, tau);
                        using var split = SpectralPartition.Of(snap.Kss, tau);
                        Assert.Equal(split.ChannelSize, await Browser.Value(page, "tx-dim"));
                        Close(split.ChannelShare(g), await Browser.Value(page, "tx-res-share"), $"g at {k}, τ {tau}");
                        Close(split.ReservoirShare(noise), await Browser.Value(page, "tx-noise-share"), "noise");
                    }
                }
            }
        );
    }

    /// <summary>
    /// A study's report: each arm that recorded kernels is an entry of the run selector, and choosing one shows that
    /// arm's kernels (lazy-vs-rich, reduced as in StudyTests: α = 0.3 and 30 on the teacher task and on synthetic
    /// MNIST-format images).
    /// </summary>
    [BrowserFact]
    public async Task StudyReportShowsTheChosenArmsKernels()
    {
        using var dir = new TempDir();
        Tangent.Tests.Data.SyntheticMnist.Write(dir.File("data"), 1200, 1000);
        string run = dir.File("run");
        string[] args =
        [
            "study",
            "lazy-vs-rich",
            "--set",
            "alphas=[0.3,30]",
            "--set",
            "steps=200",
            "--set",
            "train_samples=60",
            "--set",
            "test_samples=50",
            "--set",
            "snapshots=6",
            "--data",
            dir.File("data"),
            "--out",
            run,
        ];
        var stderr = new StringWriter();
        Assert.True(TangentCli.Run(args, new StringWriter(), stderr) == 0, stderr.ToString());
        var arms = Directory
            .EnumerateFiles(run, "index.json", SearchOption.AllDirectories)
            .Select(f => Path.GetDirectoryName(Path.GetDirectoryName(f))!)
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(arms.Count >= 2, $"{arms.Count} arms recorded kernels");

        await Browser.Open(
            Path.Combine(run, "report.html"),
            async page =>
            {
                var options = await page.Locator("#tx-series option").AllTextContentsAsync();
                Assert.Equal(arms.Select(a => Path.GetRelativePath(run, a)), options);
                int pick = arms.Count - 1;
                await page.Locator("#tx-series").SelectOptionAsync(pick.ToString(CultureInfo.InvariantCulture));
                var index = SnapshotIndex.Read(arms[pick]);
                using var snap = Snapshot.Read(arms[pick], index.Steps[^1], index.LearningRates[^1]);
                Assert.Equal(index.Steps[^1], await Browser.Value(page, "tx-step"));
                await Browser.SetThreshold(page, 1e-2);
                using var split = SpectralPartition.Of(snap.Kss, 1e-2);
                Assert.Equal(split.ChannelSize, await Browser.Value(page, "tx-dim"));
            }
        );
    }
}
