using AgentSilo.Web.Site;
using Microsoft.Playwright;

namespace AgentSilo.Web.Tests;

/// <summary>One task site and one headless Debian Chromium shared by a test collection.</summary>
public sealed class SiteFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public TaskSite Site { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Site = await TaskSite.StartAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("AGENTSILO_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright?.Dispose();
        await Site.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SiteCollection : ICollectionFixture<SiteFixture>
{
    public const string Name = "site";
}
