using AgentSilo.Web.Tasks;

namespace AgentSilo.Web.Site;

/// <summary>
/// Resolves built-in task names (<c>click-button</c>, <c>shopping</c>, ...) to sources on a task site: the silo's (one
/// registered with the silo) or, without one, a site this process starts on first use and keeps (the CLI's case).
/// </summary>
public sealed class BuiltInTaskResolver(SharedTaskSite? site = null) : IWebTaskResolver
{
    private static readonly SharedTaskSite ProcessSite = new();

    public IWebTaskSource? Resolve(string reference) =>
        BuiltInTasks.All.FirstOrDefault(t => t.Id == reference) is { } task
            ? new BuiltInTaskSource((site ?? ProcessSite).GetAsync().GetAwaiter().GetResult(), task) // started once, then a completed task
            : null;
}
