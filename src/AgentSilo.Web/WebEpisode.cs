using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Tasks;
using Microsoft.Playwright;

namespace AgentSilo.Web;

/// <summary>What an observation should carry besides the element list.</summary>
/// <param name="AccessibilityTree">Add the accessibility tree as text (costs one more call per observation).</param>
/// <param name="Screenshot">Add a PNG screenshot of the viewport (costs tens of milliseconds).</param>
public sealed record WebObservationRequest(bool AccessibilityTree = false, bool Screenshot = false)
{
    /// <summary>The element list only.</summary>
    public static readonly WebObservationRequest ElementsOnly = new();
}

/// <summary>
/// One episode of a task in its own browser context: <see cref="StartAsync(WebBrowserPool, IWebTask, WebObservationRequest?, CancellationToken)"/> (the reset) opens the start page and returns the first
/// observation; each <see cref="StepAsync"/> parses an action, performs it, observes the page and checks the task. A
/// failed action never throws: it becomes the next observation's <see cref="WebObservation.LastActionError"/>. A step
/// that runs past <see cref="WebBrowserOptions.StepTimeout"/> abandons the page and ends the episode. Dispose to close
/// the context (an ended episode has closed it already).
/// </summary>
public sealed class WebEpisode : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly WebBrowserPool pool;
    private readonly WebContextLease lease;
    private readonly WebAllowList allowList;
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private WebObservation? last;

    private WebEpisode(WebBrowserPool pool, IWebTask task, WebContextLease lease, WebAllowList allowList)
    {
        this.pool = pool;
        WebTask = task;
        this.lease = lease;
        this.allowList = allowList;
    }

    /// <summary>The task instance.</summary>
    public IWebTask WebTask { get; }

    /// <summary>The episode's page (for checks and tests; policies read observations).</summary>
    public IPage Page => lease.Page;

    /// <summary>Steps taken.</summary>
    public int Steps { get; private set; }

    /// <summary>Whether the episode is over.</summary>
    public bool Done { get; private set; }

    /// <summary>How it ended, or <see cref="WebEpisodeOutcome.Running"/>.</summary>
    public WebEpisodeOutcome Outcome { get; private set; }

    /// <summary>The last reward.</summary>
    public double Reward { get; private set; }

    /// <summary>Requests this episode's allow-list aborted.</summary>
    public long BlockedRequests => lease.BlockedRequests;

    /// <summary>The last observation.</summary>
    public WebObservation? Observation => last;

    /// <summary>What observations carry besides the element list. Default: elements only.</summary>
    public WebObservationRequest Request { get; set; } = WebObservationRequest.ElementsOnly;

    /// <summary>
    /// Opens a fresh context, loads the task's start page and returns the episode with its first observation in
    /// <see cref="Observation"/>. A start page that does not load becomes the observation's error, not an exception;
    /// only a missing browser throws (<see cref="WebBrowserException"/>).
    /// </summary>
    public static async Task<WebEpisode> StartAsync(WebBrowserPool pool, IWebTask task, WebObservationRequest? request = null, CancellationToken cancellationToken = default)
    {
        var allowList = new WebAllowList(task.StartUrl, task.AllowedOrigins);
        var lease = await pool.OpenContextAsync(allowList, cancellationToken).ConfigureAwait(false);
        var episode = new WebEpisode(pool, task, lease, allowList) { Request = request ?? WebObservationRequest.ElementsOnly };
        await episode.RunGuardedAsync(async () =>
        {
            string? error = null;
            try
            {
                await lease.Page.GotoAsync(task.StartUrl).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException && !lease.Page.IsClosed)
            {
                error = $"the start page did not load: {WebBrowserPool.FirstLine(e.Message)}";
            }

            episode.last = await episode.ObserveAsync(error).ConfigureAwait(false);
        }, isReset: true).ConfigureAwait(false);
        return episode;
    }

    /// <summary>The reset: the instance of <paramref name="source"/> for <paramref name="seed"/>, started.</summary>
    public static Task<WebEpisode> StartAsync(WebBrowserPool pool, IWebTaskSource source, long seed, WebObservationRequest? request = null, CancellationToken cancellationToken = default) =>
        StartAsync(pool, source.Create(seed), request, cancellationToken);

    /// <summary>Performs <paramref name="actionText"/> and returns the next observation, the reward and whether the episode is over.</summary>
    public async Task<WebStepResult> StepAsync(string actionText, CancellationToken cancellationToken = default)
    {
        if (Done)
        {
            return new WebStepResult(last! with { LastActionError = "the episode is over" }, Reward, true, Outcome);
        }

        using var activity = WebTelemetry.Source.StartActivity("execute_tool web_action", ActivityKind.Internal);
        Steps++;
        WebTelemetry.Steps.Add(1);
        if (clock.Elapsed > pool.Options.EpisodeTimeout)
        {
            await EndAsync(WebEpisodeOutcome.TimedOut, abandon: false).ConfigureAwait(false);
            last = last! with { Step = Steps, LastActionError = $"the episode ran past its {pool.Options.EpisodeTimeout.TotalSeconds:0} s limit" };
            return new WebStepResult(last, Reward, true, Outcome);
        }

        var action = WebAction.Parse(actionText, out var parseError);
        if (activity is not null)
        {
            activity.DisplayName = $"execute_tool {(action is null ? "invalid" : WebAction.NameOf(action.Kind))}";
            activity.SetTag("gen_ai.operation.name", "execute_tool");
            activity.SetTag("gen_ai.tool.name", action is null ? "invalid" : WebAction.NameOf(action.Kind));
            activity.SetTag("agentsilo.web.task_id", WebTask.Id);
            activity.SetTag("agentsilo.web.step", Steps);
        }

        await RunGuardedAsync(async () =>
        {
            var error = action is null ? parseError : await PerformAsync(action).ConfigureAwait(false);
            // Observation and check are independent reads of the page: sent together, they share one round trip's wait.
            var observing = ObserveAsync(error);
            var checking = WebTask.CheckAsync(Page, action?.Kind == WebActionKind.Answer ? action.Argument : null, cancellationToken);
            await Task.WhenAll(observing, checking).ConfigureAwait(false);
            var observation = await observing.ConfigureAwait(false);
            var reward = await checking.ConfigureAwait(false);
            last = observation;
            Reward = reward;
            if (reward >= 1)
            {
                Outcome = WebEpisodeOutcome.Success;
            }
            else if (action?.Kind == WebActionKind.Answer)
            {
                Outcome = WebEpisodeOutcome.Answered;
            }
            else if (Steps >= WebTask.MaxSteps)
            {
                Outcome = WebEpisodeOutcome.StepLimit;
            }
        }, isReset: false).ConfigureAwait(false);

        if (Outcome != WebEpisodeOutcome.Running && !Done)
        {
            await EndAsync(Outcome, abandon: false).ConfigureAwait(false);
        }

        activity?.SetTag("agentsilo.web.reward", Reward);
        return new WebStepResult(last!, Reward, Done, Outcome);
    }

    // Runs one reset or step under the step timeout. A page that does not answer in time is abandoned: its context
    // closed (counted as hung), the episode over. A closed browser ends the episode too.
    private async Task RunGuardedAsync(Func<Task> work, bool isReset)
    {
        var run = work();
        try
        {
            await run.WaitAsync(pool.Options.StepTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException) when (!run.IsCompleted || run.IsFaulted && run.Exception?.InnerException is TimeoutException)
        {
            _ = run.ContinueWith(t => _ = t.Exception, TaskScheduler.Default); // it faults once the context closes
            Fail($"the page did not respond within {pool.Options.StepTimeout.TotalSeconds:0.#} s; it was abandoned", isReset);
            await EndAsync(WebEpisodeOutcome.TimedOut, abandon: true).ConfigureAwait(false);
        }
        catch (PlaywrightException e)
        {
            Fail($"the browser failed: {WebBrowserPool.FirstLine(e.Message)}", isReset);
            await EndAsync(WebEpisodeOutcome.Crashed, abandon: false).ConfigureAwait(false);
        }
    }

    private void Fail(string error, bool isReset) =>
        last = (last ?? new WebObservation(WebTask.Goal, isReset ? WebTask.StartUrl : "", "", [], Steps)) with { Step = Steps, LastActionError = error };

    private async Task EndAsync(WebEpisodeOutcome outcome, bool abandon)
    {
        Outcome = outcome;
        Done = true;
        if (abandon)
        {
            await lease.AbandonAsync().ConfigureAwait(false);
        }
        else
        {
            await lease.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The action's error, or null when it worked. Failures a policy can cause (unknown id, wrong element kind, an
    // element that never becomes actionable, a blocked URL) are errors, not exceptions.
    private async Task<string?> PerformAsync(WebAction action)
    {
        var page = Page;
        if (action.ElementId is { } id)
        {
            var element = last?.Find(id);
            if (element is null)
            {
                return $"{action}: no element with id {id} on the page";
            }

            if (element.Disabled && action.Kind is not WebActionKind.Press)
            {
                return $"{action}: element {id} is disabled";
            }

            // Playwright would wait the whole action timeout for an option that is not there.
            if (action.Kind == WebActionKind.SelectOption && element.Options is { } options
                && !options.Any(o => o == action.Argument || o.StartsWith(action.Argument + "=", StringComparison.Ordinal) || o.EndsWith("=" + action.Argument, StringComparison.Ordinal)))
            {
                return $"{action}: element {id} has no option \"{action.Argument}\"; options: {string.Join(", ", options)}";
            }
        }

        var locator = action.ElementId is { } eid ? page.Locator($"[{PageScripts.IdAttribute}=\"{eid}\"]") : null;
        try
        {
            switch (action.Kind)
            {
                case WebActionKind.Click:
                    await locator!.ClickAsync().ConfigureAwait(false);
                    break;
                case WebActionKind.Fill:
                    await locator!.FillAsync(action.Argument!).ConfigureAwait(false);
                    break;
                case WebActionKind.SelectOption:
                    await locator!.SelectOptionAsync(action.Argument!).ConfigureAwait(false);
                    break;
                case WebActionKind.Check:
                    await locator!.CheckAsync().ConfigureAwait(false);
                    break;
                case WebActionKind.Uncheck:
                    await locator!.UncheckAsync().ConfigureAwait(false);
                    break;
                case WebActionKind.Press:
                    await locator!.PressAsync(action.Argument!).ConfigureAwait(false);
                    break;
                case WebActionKind.Scroll:
                    var dy = (action.Argument == "up" ? -1 : 1) * pool.Options.ViewportHeight * 4 / 5;
                    await page.EvaluateAsync("(dy) => window.scrollBy(0, dy)", dy).ConfigureAwait(false);
                    break;
                case WebActionKind.Goto:
                    if (!Uri.TryCreate(new Uri(page.Url), action.Argument, out var target) || target.Scheme is not ("http" or "https" or "file"))
                    {
                        return $"{action}: not an http(s) or file URL";
                    }

                    if (!allowList.Allows(target.AbsoluteUri))
                    {
                        return $"{action}: {target.AbsoluteUri} is not on this task's allow-list ({string.Join(", ", allowList.Origins.DefaultIfEmpty("local files only"))})";
                    }

                    await page.GotoAsync(target.AbsoluteUri).ConfigureAwait(false);
                    break;
                case WebActionKind.GoBack:
                    if (await page.GoBackAsync().ConfigureAwait(false) is null && page.Url == last?.Url)
                    {
                        return "go_back(): there is no page to go back to";
                    }

                    break;
                default:
                    break; // answer and noop touch nothing
            }

            return null;
        }
        catch (TimeoutException e)
        {
            return $"{action}: {WebBrowserPool.FirstLine(e.Message)}";
        }
        catch (PlaywrightException e) when (page.Context.Browser?.IsConnected != false && !page.IsClosed)
        {
            return $"{action}: {WebBrowserPool.FirstLine(e.Message)}";
        }
    }

    private async Task<WebObservation> ObserveAsync(string? error)
    {
        var page = Page;
        ObservedPage? observed = null;
        for (var attempt = 0; observed is null; attempt++)
        {
            try
            {
                var json = await page.EvaluateAsync<string>(PageScripts.Observe, pool.Options.MaxElements).ConfigureAwait(false);
                observed = JsonSerializer.Deserialize<ObservedPage>(json, Json);
            }
            catch (PlaywrightException e) when (attempt < 3 && !page.IsClosed && IsNavigationRace(e))
            {
                // A navigation replaced the document under the script: wait for the new one and look again.
                try
                {
                    await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Observe whatever is there.
                }
            }
        }

        string? tree = null;
        byte[]? png = null;
        if (Request.AccessibilityTree)
        {
            tree = await page.Locator("body").AriaSnapshotAsync().ConfigureAwait(false);
        }

        if (Request.Screenshot)
        {
            png = await page.ScreenshotAsync(new PageScreenshotOptions { Type = ScreenshotType.Png }).ConfigureAwait(false);
        }

        var elements = (observed.Elements ?? []).Select(e => new WebElement(
            e.Id, e.Role ?? "text", e.Tag ?? "", e.Text ?? "", e.Value, e.Interactive, e.Checked, e.Disabled, e.Selected, e.Expanded, e.InputType, e.Options)).ToList();
        return new WebObservation(WebTask.Goal, page.Url, observed.Title ?? "", elements, Steps, error, tree, png);
    }

    private static bool IsNavigationRace(PlaywrightException e) =>
        e.Message.Contains("context was destroyed", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("navigat", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("Cannot find context", StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Done = true;
        await lease.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Episode time so far, for logs.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{WebTask.Id}: {Steps} steps, {Outcome}, {clock.Elapsed.TotalSeconds:0.0} s");

    private sealed record ObservedPage(string? Title, List<ObservedElement>? Elements);

    private sealed record ObservedElement(
        int Id, string? Role, string? Tag, string? Text, string? Value, bool Interactive, bool? Checked, bool Disabled,
        bool? Selected, bool? Expanded, string? InputType, List<string>? Options);
}
