using System.Text.Json;
using AgentSilo.Web.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace AgentSilo.Web.Tests;

/// <summary>A tiny site on 127.0.0.1 (a random port) serving fixed pages by path.</summary>
public sealed class LoopbackSite : IAsyncDisposable
{
    private readonly WebApplication app;

    private LoopbackSite(WebApplication app, string origin)
    {
        this.app = app;
        Origin = origin;
    }

    /// <summary>http://127.0.0.1:port</summary>
    public string Origin { get; }

    /// <summary>Requests served, by path.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, int> Hits { get; } = new();

    public static async Task<LoopbackSite> StartAsync(IReadOnlyDictionary<string, string> pages)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        LoopbackSite? site = null;
        app.Run(async ctx =>
        {
            var path = ctx.Request.Path.Value ?? "/";
            site!.Hits.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (path == "/never")
            {
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            if (!pages.TryGetValue(path, out var html))
            {
                ctx.Response.StatusCode = 404;
                return;
            }

            ctx.Response.ContentType = path.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "text/html; charset=utf-8";
            await ctx.Response.WriteAsync(html);
        });
        await app.StartAsync();
        var address = app.Urls.First();
        site = new LoopbackSite(app, address.TrimEnd('/'));
        return site;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>A task for tests: a start URL and a JS check.</summary>
public sealed class JsTask(string startUrl, string js, int maxSteps = 10, params string[] allowedOrigins) : IWebTask
{
    public string Id => "test";

    public string Goal => "test goal";

    public string StartUrl => startUrl;

    public IReadOnlyList<string> AllowedOrigins => allowedOrigins;

    public int MaxSteps => maxSteps;

    public async Task<double> CheckAsync(IPage page, string? answer, CancellationToken cancellationToken = default)
    {
        var r = await page.EvaluateAsync(js);
        return r is { ValueKind: JsonValueKind.True } ? 1 : 0;
    }
}
