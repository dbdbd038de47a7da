using System.Diagnostics;
using System.Globalization;
using AgentSilo.Web;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Tasks;
using Microsoft.Playwright;

namespace AgentSilo.Bench;

/// <summary>
/// The cost of the web environment layer: N parallel episodes doing the same cycle of form actions (fill, fill, select,
/// check, click, uncheck) on the same local page, through <see cref="WebEpisode"/> (text actions parsed, the step
/// guarded by a timeout, an observation with element ids, the task's check, the allow-list route) and through bare
/// Playwright on the same Chromium: once the actions alone, once the actions plus reading the page with the same
/// observation script (what any agent loop must do to see the page). Rounds interleave the three, so load from other
/// processes falls on all of them alike.
/// </summary>
public static class WebLayerBenchmark
{
    private const string Page = """
        <!doctype html><title>Bench form</title>
        <h1>Newsletter</h1><p>Sign up below.</p>
        <form id="f"><label for="name">Name</label><input id="name">
        <label for="email">Email</label><input id="email" type="email">
        <label for="freq">How often</label><select id="freq"><option value="">Choose</option><option value="weekly">Weekly</option><option value="monthly">Monthly</option></select>
        <label><input id="terms" type="checkbox"> I agree</label><button id="go" type="submit">Sign up</button></form>
        <p id="status"></p>
        <script>document.getElementById('f').addEventListener('submit', e => { e.preventDefault(); document.getElementById('status').textContent = 'Thanks, ' + document.getElementById('name').value; });</script>
        """;

    /// <param name="output">Where the figures go.</param>
    /// <param name="parallel">Episode counts to measure.</param>
    /// <param name="stepsPerEpisode">Steps each episode takes per round.</param>
    /// <param name="rounds">Interleaved rounds per episode count.</param>
    public static async Task RunAsync(TextWriter output, int[] parallel, int stepsPerEpisode = 36, int rounds = 9)
    {
        var dir = Path.Combine(Path.GetTempPath(), "agentsilo-web-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "form.html"), Page);
        var source = WebTaskSpecLoader.Parse("""
            id: bench-form
            start_url: form.html
            goal: Sign up as {name}
            fields: { name: [Alice] }
            max_steps: 1000
            success:
              element: { selector: "#status", equals: "never" }
            """, dir);
        // The longest timeouts allowed: on a loaded shared machine a step can take seconds, and a benchmark step must not fail.
        await using var pool = new WebBrowserPool(new WebBrowserOptions
        {
            MaxConcurrentEpisodes = parallel.Max(),
            ActionTimeout = TimeSpan.FromSeconds(15),
            StepTimeout = WebBrowserOptionsValidator.MaxStepTimeout,
        });
        var browser = await pool.GetBrowserAsync();
        output.WriteLine($"web layer: Chromium {browser.Version}, {Environment.ProcessorCount} cores, {stepsPerEpisode} steps per episode per round, {rounds} interleaved rounds");
        output.WriteLine("  steps: fill, fill, select_option, check, click (submit), uncheck, repeated");

        foreach (var n in parallel)
        {
            // Warm-up of every path.
            await OursAsync(pool, source, n, 12);
            await BareAsync(browser, source.StartUrl, n, 12, observe: false, pool.Options.MaxElements);
            await BareAsync(browser, source.StartUrl, n, 12, observe: true, pool.Options.MaxElements);
            var ours = new double[rounds];
            var bare = new double[rounds];
            var bareObserve = new double[rounds];
            for (var r = 0; r < rounds; r++)
            {
                ours[r] = await OursAsync(pool, source, n, stepsPerEpisode);
                bare[r] = await BareAsync(browser, source.StartUrl, n, stepsPerEpisode, observe: false, pool.Options.MaxElements);
                bareObserve[r] = await BareAsync(browser, source.StartUrl, n, stepsPerEpisode, observe: true, pool.Options.MaxElements);
            }

            // Pooled over all rounds, and the median of the per-round ratios (one slow round on a shared machine moves the
            // pooled figure; the median of interleaved pairs much less), with the range of the per-round ratios.
            var steps = (double)n * stepsPerEpisode * rounds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  N={n}: ours {steps / ours.Sum():0.0} steps/s; bare Playwright, actions only {steps / bare.Sum():0.0} steps/s, actions + page read {steps / bareObserve.Sum():0.0} steps/s"));
            output.WriteLine($"    ours against bare actions only: {Cost(ours, bare)}");
            output.WriteLine($"    ours against bare actions + page read: {Cost(ours, bareObserve)}");
        }

        output.WriteLine($"  blocked requests {pool.Stats.BlockedRequests}, hung pages {pool.Stats.HungPages}");
        Directory.Delete(dir, recursive: true);
    }

    private static string Cost(double[] ours, double[] bare)
    {
        var ratios = ours.Zip(bare, (o, b) => 100 * ((o / b) - 1)).Order().ToArray();
        var median = ratios.Length % 2 == 1 ? ratios[ratios.Length / 2] : (ratios[(ratios.Length / 2) - 1] + ratios[ratios.Length / 2]) / 2;
        return string.Create(CultureInfo.InvariantCulture,
            $"pooled {100 * ((ours.Sum() / bare.Sum()) - 1):+0.0;-0.0}%, median of rounds {median:+0.0;-0.0}% (rounds {ratios[0]:+0.0;-0.0}% to {ratios[^1]:+0.0;-0.0}%)");
    }

    // Seconds for n episodes of `steps` steps each, in parallel, through the environment layer (episode start excluded).
    private static async Task<double> OursAsync(WebBrowserPool pool, IWebTaskSource source, int n, int steps)
    {
        var episodes = await Task.WhenAll(Enumerable.Range(0, n).Select(i => WebEpisode.StartAsync(pool, source, i)));
        try
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(episodes.Select(async e =>
            {
                var o = e.Observation!;
                int Id(string text) => o.Elements.First(x => x.Interactive && x.Text == text).Id;
                string[] cycle = [$"fill({Id("Name")}, \"Alice\")", $"fill({Id("Email")}, \"alice@example.com\")", $"select_option({Id("How often")}, \"weekly\")",
                    $"check({Id("I agree")})", $"click({Id("Sign up")})", $"uncheck({Id("I agree")})"];
                for (var s = 0; s < steps; s++)
                {
                    var r = await e.StepAsync(cycle[s % cycle.Length]);
                    if (r.Observation.LastActionError is { } error)
                    {
                        throw new InvalidOperationException($"benchmark step failed: {error}");
                    }
                }
            }));
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var e in episodes)
            {
                await e.DisposeAsync();
            }
        }
    }

    private static async Task<double> BareAsync(IBrowser browser, string url, int n, int steps, bool observe, int maxElements)
    {
        var contexts = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => browser.NewContextAsync()));
        foreach (var c in contexts)
        {
            c.SetDefaultTimeout(15_000);
        }

        try
        {
            var pages = await Task.WhenAll(contexts.Select(async c =>
            {
                var p = await c.NewPageAsync();
                await p.GotoAsync(url);
                return p;
            }));
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(pages.Select(async p =>
            {
                for (var s = 0; s < steps; s++)
                {
                    switch (s % 6)
                    {
                        case 0: await p.Locator("#name").FillAsync("Alice"); break;
                        case 1: await p.Locator("#email").FillAsync("alice@example.com"); break;
                        case 2: await p.Locator("#freq").SelectOptionAsync("weekly"); break;
                        case 3: await p.Locator("#terms").CheckAsync(); break;
                        case 4: await p.Locator("#go").ClickAsync(); break;
                        default: await p.Locator("#terms").UncheckAsync(); break;
                    }

                    if (observe)
                    {
                        _ = await p.EvaluateAsync<string>(PageScripts.Observe, maxElements);
                    }
                }
            }));
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var c in contexts)
            {
                await c.CloseAsync();
            }
        }
    }
}
