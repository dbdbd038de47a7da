namespace AgentSilo.Web.Site;

/// <summary>
/// The built-in task site an owner (a silo, or the CLI process) serves: started on 127.0.0.1 on first use, so a silo that
/// never runs a built-in task opens no port, and stopped when the owner disposes it.
/// </summary>
public sealed class SharedTaskSite : IAsyncDisposable
{
    private readonly Lazy<Task<TaskSite>> _site = new(() => TaskSite.StartAsync(), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The site, started on the first call.</summary>
    public Task<TaskSite> GetAsync() => _site.Value;

    public async ValueTask DisposeAsync()
    {
        if (_site.IsValueCreated && _site.Value.IsCompletedSuccessfully)
        {
            await (await _site.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
    }
}
