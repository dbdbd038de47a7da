using AgentSilo.Web.Browser;

namespace AgentSilo.Web.Tests;

[Collection(BrowserCollection.Name)]
public sealed class EnvironmentTests(BrowserFixture fixture)
{
    private const string Page = """
        <!doctype html><title>Home</title>
        <h1>Home</h1>
        <button id="b" onclick="document.getElementById('out').textContent='clicked ' + (++window.n)">Press me</button>
        <input id="q" aria-label="Query">
        <p id="out">nothing yet</p>
        <button onclick="const p = document.createElement('button'); p.textContent='New'; document.body.prepend(p)">Add</button>
        <button disabled>Off</button>
        <script>window.n = 0</script>
        """;

    [Fact]
    public async Task IdsStayStableAcrossStepsAndNewElementsGetNewOnes()
    {
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string> { ["/"] = Page });
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false"));
        var first = episode.Observation!;
        Assert.Equal("Home", first.Title);
        var press = first.Elements.Single(e => e.Text == "Press me");
        var add = first.Elements.Single(e => e.Text == "Add");
        Assert.Equal(["heading", "button", "textbox", "text", "button", "button"], first.Elements.Select(e => e.Role));
        Assert.True(first.Elements.Single(e => e.Text == "Off").Disabled);

        var r = await episode.StepAsync($"click({add.Id})");
        Assert.Null(r.Observation.LastActionError);
        var added = r.Observation.Elements.Single(e => e.Text == "New");
        Assert.Equal(first.Elements.Max(e => e.Id) + 1, added.Id);
        Assert.Equal(r.Observation.Elements[0], added); // first in document order, numbered last
        Assert.Equal(press.Id, r.Observation.Elements.Single(e => e.Text == "Press me").Id);

        r = await episode.StepAsync($"click({press.Id})");
        Assert.Equal("clicked 1", r.Observation.Elements.Single(e => e.Role == "text" && e.Tag == "p").Text);
        r = await episode.StepAsync($"fill({first.Elements.Single(e => e.Text == "Query").Id}, \"a \\\"quoted\\\", text\")");
        Assert.Equal("a \"quoted\", text", r.Observation.Elements.Single(e => e.Text == "Query").Value);
    }

    [Fact]
    public async Task MalformedOrImpossibleActionsBecomeLastActionError()
    {
        (string Action, string Expected)[] cases =
        [
            ("click(", "malformed action"),
            ("dance(1)", "unknown action 'dance'"),
            ("click(999)", "no element with id 999"),
            ("fill(1)", "fill takes an element id and a quoted string"),
            ("scroll(sideways)", "scroll takes up or down"),
            ("goto(\"ftp://example.com\")", "not an http(s) or file URL"),
            ("", "malformed action"),
        ];
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string> { ["/"] = Page });
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false", maxSteps: 20));
        var step = 0;
        foreach (var (action, expected) in cases)
        {
            var r = await episode.StepAsync(action);
            Assert.Contains(expected, r.Observation.LastActionError ?? "(none)", StringComparison.Ordinal);
            Assert.False(r.Done);
            Assert.Equal(++step, r.Observation.Step);
            Assert.Equal(episode.Observation!.Elements.Count, r.Observation.Elements.Count);
        }

        var next = await episode.StepAsync("noop()");
        Assert.Null(next.Observation.LastActionError);
    }

    [Fact]
    public async Task ClickingADisabledButtonOrFillingAButtonIsAnErrorNotAnException()
    {
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string> { ["/"] = Page });
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false"));
        var o = episode.Observation!;
        var r = await episode.StepAsync($"click({o.Elements.Single(e => e.Text == "Off").Id})");
        Assert.Contains("is disabled", r.Observation.LastActionError, StringComparison.Ordinal);
        r = await episode.StepAsync($"fill({o.Elements.Single(e => e.Text == "Press me").Id}, \"x\")");
        Assert.Contains("fill(", r.Observation.LastActionError, StringComparison.Ordinal);
        Assert.False(r.Done);
    }

    [Fact]
    public async Task WebSocketsOffTheAllowListAreBlockedAndCounted()
    {
        await using var other = await LoopbackSite.StartAsync(new Dictionary<string, string> { ["/ws"] = "" });
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string>
        {
            ["/"] = $$"""
                <title>Sockets</title><p id="state">waiting</p>
                <script>
                const ws = new WebSocket("{{other.Origin.Replace("http://", "ws://", StringComparison.Ordinal)}}/ws");
                ws.onclose = e => document.getElementById("state").textContent = "closed " + e.code;
                </script>
                """,
        });
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false"));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (episode.BlockedRequests == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(1, episode.BlockedRequests);
        Assert.False(other.Hits.ContainsKey("/ws"));
        Assert.True(new Browser.WebAllowList(site.Origin + "/", []).Allows(site.Origin.Replace("http://", "ws://", StringComparison.Ordinal) + "/live"));
        Assert.False(new Browser.WebAllowList(site.Origin + "/", []).Allows(other.Origin.Replace("http://", "ws://", StringComparison.Ordinal) + "/ws"));
    }

    [Fact]
    public async Task AFileStartPageCannotLoadFilesOutsideItsDirectory()
    {
        var dir = Directory.CreateTempSubdirectory("agentsilo-file-task-");
        var secret = Path.Combine(Path.GetTempPath(), $"agentsilo-secret-{Guid.NewGuid():N}.txt");
        try
        {
            await File.WriteAllTextAsync(secret, "secret");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "inside.txt"), "inside");
            var start = Path.Combine(dir.FullName, "start.html");
            await File.WriteAllTextAsync(start,
                $"""<title>Files</title><iframe src="inside.txt"></iframe><iframe src="{new Uri(secret).AbsoluteUri}"></iframe>""");
            await using var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(new Uri(start).AbsoluteUri, "false"));
            Assert.Equal(1, episode.BlockedRequests); // the secret, not the file beside the page
        }
        finally
        {
            File.Delete(secret);
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task OffAllowListRequestsAndNavigationsAreBlockedAndCounted()
    {
        await using var other = await LoopbackSite.StartAsync(new Dictionary<string, string> { ["/"] = "<title>Other</title><p>secret</p>", ["/pixel.png"] = "x" });
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string>
        {
            ["/"] = $"""<title>Start</title><img src="{other.Origin}/pixel.png" alt="pixel"><a href="{other.Origin}/">elsewhere</a><a href="/two">two</a>""",
            ["/two"] = "<title>Two</title><p>same origin</p>",
        });
        var before = fixture.Pool.Stats.BlockedRequests;
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false"));
        Assert.Equal(1, episode.BlockedRequests); // the image

        var r = await episode.StepAsync($"goto(\"{other.Origin}/\")");
        Assert.Contains("is not on this task's allow-list", r.Observation.LastActionError, StringComparison.Ordinal);
        Assert.Equal(site.Origin + "/", r.Observation.Url);

        var link = r.Observation.Elements.Single(e => e.Text == "elsewhere").Id;
        r = await episode.StepAsync($"click({link})");
        Assert.Equal(2, episode.BlockedRequests); // the link's navigation
        Assert.DoesNotContain(r.Observation.Elements, e => e.Text == "secret");
        Assert.False(other.Hits.ContainsKey("/"));
        Assert.False(other.Hits.ContainsKey("/pixel.png"));
        Assert.Equal(before + 2, fixture.Pool.Stats.BlockedRequests);

        r = await episode.StepAsync("go_back()");
        r = await episode.StepAsync($"goto(\"/two\")");
        Assert.Null(r.Observation.LastActionError);
        Assert.Equal(site.Origin + "/two", r.Observation.Url);
        Assert.Equal("Two", r.Observation.Title);
    }

    [Fact]
    public async Task AHangingPageIsAbandonedCountedAndItsContextClosed()
    {
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string>
        {
            ["/"] = """<title>Hang</title><button onclick="while (true) {}">Freeze</button>""",
        });
        var before = fixture.Pool.Stats;
        var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false"));
        Assert.Equal(before.OpenContexts + 1, fixture.Pool.Stats.OpenContexts);
        var started = DateTime.UtcNow;
        var r = await episode.StepAsync($"click({episode.Observation!.Elements.Single().Id})");
        var took = DateTime.UtcNow - started;
        Assert.True(r.Done);
        Assert.Equal(WebEpisodeOutcome.TimedOut, r.Outcome);
        Assert.Contains("did not respond within 8 s", r.Observation.LastActionError, StringComparison.Ordinal);
        Assert.InRange(took, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(20));
        Assert.Equal(before.HungPages + 1, fixture.Pool.Stats.HungPages);
        Assert.Equal(before.OpenContexts, fixture.Pool.Stats.OpenContexts);
        Assert.Equal(0, fixture.Pool.Stats.FailedCloses);

        // The pool goes on: the next episode works.
        await using var next = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "true"));
        Assert.Equal("Freeze", next.Observation!.Elements.Single().Text);
        await episode.DisposeAsync();
    }

    [Fact]
    public async Task AStartPageWhoseServerNeverAnswersTimesOutAndIsCounted()
    {
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string>());
        var before = fixture.Pool.Stats;
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/never", "false"));
        Assert.True(episode.Done);
        Assert.Equal(WebEpisodeOutcome.TimedOut, episode.Outcome);
        Assert.Contains("did not respond within 8 s", episode.Observation!.LastActionError, StringComparison.Ordinal);
        Assert.Equal(before.HungPages + 1, fixture.Pool.Stats.HungPages);
        Assert.Equal(before.OpenContexts, fixture.Pool.Stats.OpenContexts);
        var after = await episode.StepAsync("noop()");
        Assert.True(after.Done);
        Assert.Equal("the episode is over", after.Observation.LastActionError);
    }

    [Fact]
    public async Task AccessibilityTreeAndScreenshotOnRequest()
    {
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string> { ["/"] = Page });
        await using var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false"),
            new WebObservationRequest(AccessibilityTree: true, Screenshot: true));
        var o = episode.Observation!;
        Assert.Contains("button \"Press me\"", o.AccessibilityTree, StringComparison.Ordinal);
        Assert.Contains("textbox \"Query\"", o.AccessibilityTree, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, o.Screenshot![..4]);
    }

    [Fact]
    public async Task AClosedBrowserIsRelaunchedForTheNextEpisode()
    {
        await using var site = await LoopbackSite.StartAsync(new Dictionary<string, string> { ["/"] = Page });
        var launches = fixture.Pool.Stats.Launches;
        var episode = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false"));
        await (await fixture.Pool.GetBrowserAsync()).CloseAsync(); // as a crash would: the process is gone
        var r = await episode.StepAsync("noop()");
        Assert.True(r.Done);
        Assert.Equal(WebEpisodeOutcome.Crashed, r.Outcome);
        await episode.DisposeAsync();

        await using var next = await WebEpisode.StartAsync(fixture.Pool, new JsTask(site.Origin + "/", "false"));
        Assert.Equal("Home", next.Observation!.Title);
        Assert.Equal(launches + 1, fixture.Pool.Stats.Launches);
    }

    [Fact]
    public void OptionsValidatorNamesTheOption()
    {
        var problems = WebBrowserOptionsValidator.Problems(new WebBrowserOptions { StepTimeout = TimeSpan.FromSeconds(25), MaxElements = 0, ExecutablePath = "" });
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("ExecutablePath", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("StepTimeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("MaxElements", StringComparison.Ordinal));
        Assert.Empty(WebBrowserOptionsValidator.Problems(new WebBrowserOptions()));
    }
}
