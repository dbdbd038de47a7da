using AgentSilo.Web.Tasks;
using Microsoft.Playwright;

namespace AgentSilo.Web.Site;

/// <summary>
/// A built-in task instance as an <see cref="IWebTask"/>: an episode opened on the <see cref="TaskSite"/>, whose reward is
/// the episode's server-side outcome (the page is not consulted). <see cref="Finished"/> says the episode ended, even
/// with reward 0 (a wrong submission), so a runner can stop early.
/// </summary>
public sealed class BuiltInWebTask(TaskSite site, SiteEpisode episode, int maxSteps) : IWebTask, IDisposable
{
    public SiteEpisode Episode { get; } = episode;

    public string Id => Episode.Instance.TaskId;

    public int Seed => Episode.Instance.Seed;

    public string Goal => Episode.Instance.Goal;

    public string StartUrl { get; } = site.StartUri(episode).ToString();

    public IReadOnlyList<string> AllowedOrigins { get; } = [site.Origin];

    public int MaxSteps { get; } = maxSteps;

    /// <summary>The episode has ended on the site (success or a wrong, final submission).</summary>
    public bool Finished => Episode.Finished;

    public Task<double> CheckAsync(IPage page, string? answer, CancellationToken cancellationToken = default)
    {
        if (answer is not null)
        {
            Episode.Answer(answer);
        }

        return Task.FromResult(Episode.Reward);
    }

    /// <summary>Forgets the episode on the site.</summary>
    public void Dispose() => site.Close(Episode);
}

/// <summary>A built-in task family on a running <see cref="TaskSite"/>, as an <see cref="IWebTaskSource"/>.</summary>
public sealed class BuiltInTaskSource(TaskSite site, SiteTask task) : IWebTaskSource
{
    public string Id => task.Id;

    public SiteTask Task => task;

    public IWebTask Create(long seed) => Open((int)(seed % int.MaxValue));

    public BuiltInWebTask Open(int seed) => new(site, site.Open(task.Create(seed)), task.MaxSteps);

    /// <summary>Every built-in task on <paramref name="site"/>.</summary>
    public static IReadOnlyList<BuiltInTaskSource> All(TaskSite site) => [.. BuiltInTasks.All.Select(t => new BuiltInTaskSource(site, t))];
}
