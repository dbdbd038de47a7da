using AgentSilo.Web.Browser;
using AgentSilo.Web.Tasks;

namespace AgentSilo.Web;

/// <summary>How one episode of a policy on a task went.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Seed">The instance's seed.</param>
/// <param name="Goal">The instance's goal.</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Reward">The last reward.</param>
/// <param name="Steps">Steps taken.</param>
/// <param name="Actions">The actions, as the policy wrote them.</param>
/// <param name="Errors">Steps whose action failed (last_action_error set).</param>
public sealed record WebEpisodeSummary(string TaskId, long Seed, string Goal, WebEpisodeOutcome Outcome, double Reward, int Steps, IReadOnlyList<string> Actions, int Errors)
{
    /// <summary>Whether the task's check passed.</summary>
    public bool Success => Outcome == WebEpisodeOutcome.Success;
}

/// <summary>Runs a policy on task instances: the loop reset, act, step until done.</summary>
public static class WebEpisodeRunner
{
    /// <summary>One episode of <paramref name="policy"/> on <paramref name="source"/>'s instance for <paramref name="seed"/>.</summary>
    public static async Task<WebEpisodeSummary> RunAsync(WebBrowserPool pool, IWebTaskSource source, long seed, IWebPolicy policy, CancellationToken cancellationToken = default)
    {
        await using var episode = await WebEpisode.StartAsync(pool, source, seed, cancellationToken: cancellationToken).ConfigureAwait(false);
        var actions = new List<string>();
        var errors = 0;
        var observation = episode.Observation!;
        while (!episode.Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var action = await policy.ActAsync(observation, cancellationToken).ConfigureAwait(false);
            actions.Add(action);
            var result = await episode.StepAsync(action, cancellationToken).ConfigureAwait(false);
            observation = result.Observation;
            if (observation.LastActionError is not null)
            {
                errors++;
            }
        }

        return new WebEpisodeSummary(source.Id, seed, episode.WebTask.Goal, episode.Outcome, episode.Reward, episode.Steps, actions, errors);
    }
}
