using AgentSilo.Web;
using AgentSilo.Web.Browser;
using AgentSilo.Web.Tasks;
using Microsoft.Extensions.Logging;

namespace AgentSilo.Grains;

/// <summary>
/// One web episode on this silo's shared Chromium (<see cref="WebBrowserPool"/>). Playwright calls are asynchronous
/// round trips to the browser, so the scheduler thread is free while they run; each call is bounded by the pool's
/// step timeout, and a hung page is abandoned by the episode itself.
/// Placed on a silo that advertises a browser (where none does, on any silo, with one warning).
/// </summary>
[RequiresCapability(SiloCapability.Browser)]
public sealed partial class WebEnvironmentGrain(WebBrowserPool pool, IEnumerable<IWebTaskResolver> resolvers, ILogger<WebEnvironmentGrain> logger)
    : Grain, IWebEnvironmentGrain
{
    private readonly WebTaskResolver resolver = new(resolvers);
    private static readonly TimeSpan GrainCallBudget = TimeSpan.FromSeconds(28);
    private WebEpisode? episode;

    public async Task<WebStepResult> ResetAsync(WebResetRequest request)
    {
        await CloseEpisodeAsync();
        IWebTaskSource source;
        try
        {
            source = resolver.Require(request.Task);
        }
        catch (WebTaskSpecException e)
        {
            throw new ArgumentException(e.Message, nameof(request));
        }

        // Waiting for a free context slot or for Chromium's launch must end inside the 30 s grain-call timeout too, with
        // the start page's load (bounded by the step timeout) after it. WebBrowserOptions.LaunchAtStartup avoids the wait.
        using var cts = new CancellationTokenSource(GrainCallBudget - pool.Options.StepTimeout);
        episode = await WebEpisode.StartAsync(pool, source, request.Seed, new WebObservationRequest(request.AccessibilityTree, request.Screenshot), cts.Token);
        LogStarted(logger, this.GetPrimaryKeyString(), source.Id, request.Seed);
        return new WebStepResult(episode.Observation!, 0, episode.Done, episode.Outcome);
    }

    public async Task<WebStepResult> StepAsync(string action)
    {
        var e = episode ?? throw new InvalidOperationException($"web episode {this.GetPrimaryKeyString()} has not been reset");
        var result = await e.StepAsync(action);
        if (result.Done)
        {
            LogEnded(logger, this.GetPrimaryKeyString(), result.Outcome, e.Steps, result.Reward);
        }

        return result;
    }

    public async Task CloseAsync()
    {
        await CloseEpisodeAsync();
        DeactivateOnIdle();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await CloseEpisodeAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task CloseEpisodeAsync()
    {
        if (episode is not null)
        {
            await episode.DisposeAsync();
            episode = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Web episode {Episode} started: {Task} seed {Seed}")]
    private static partial void LogStarted(ILogger logger, string episode, string task, long seed);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Web episode {Episode} ended: {Outcome} after {Steps} steps, reward {Reward}")]
    private static partial void LogEnded(ILogger logger, string episode, WebEpisodeOutcome outcome, int steps, double reward);
}
