using AgentSilo.Web.Tasks;

namespace AgentSilo.Web.Site;

/// <summary>
/// Resolves built-in task names (<c>click-button</c>, <c>shopping</c>, ...) to sources on a task site; without a site it
/// starts one on first use (the CLI's case) and keeps it for the process.
/// </summary>
public sealed class BuiltInTaskResolver(TaskSite? site = null) : IWebTaskResolver
{
    private static readonly Lazy<TaskSite> Shared = new(() => TaskSite.StartAsync().GetAwaiter().GetResult());

    public IWebTaskSource? Resolve(string reference) =>
        BuiltInTasks.All.FirstOrDefault(t => t.Id == reference) is { } task ? new BuiltInTaskSource(site ?? Shared.Value, task) : null;
}
