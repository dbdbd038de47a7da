using AgentSilo.Web.Browser;

namespace AgentSilo.Web.Tests;

/// <summary>One Chromium for the collection (a launch costs about a second).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public WebBrowserPool Pool { get; } = new(new WebBrowserOptions
    {
        // Generous: the test machine is shared and often loaded; the hang test waits out StepTimeout once.
        ActionTimeout = TimeSpan.FromSeconds(5),
        StepTimeout = TimeSpan.FromSeconds(8),
    });

    public Task InitializeAsync() => Pool.GetBrowserAsync();

    public async Task DisposeAsync() => await Pool.DisposeAsync();

    /// <summary>The repository's examples/web directory.</summary>
    public static string ExamplesWeb
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "examples", "web");
                if (Directory.Exists(candidate) && File.Exists(Path.Combine(dir.FullName, "AgentSilo.sln")))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("examples/web not found above the test binaries");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
