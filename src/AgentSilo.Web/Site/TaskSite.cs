using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentSilo.Web.Site;

/// <summary>
/// The built-in task site: Kestrel on 127.0.0.1 (a random port), one URL space per episode
/// (<c>/e/{key}/...</c>) with its own server-side state, which is also the validator's evidence.
/// </summary>
public sealed class TaskSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, SiteEpisode> _episodes = new();
    private readonly WebApplication _app;

    private TaskSite(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    /// <summary>The site's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The site's origin (scheme, host, port), for an allow-list.</summary>
    public string Origin => BaseUri.GetLeftPart(UriPartial.Authority);

    /// <summary>Starts the site on a free loopback port.</summary>
    public static async Task<TaskSite> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        TaskSite? site = null;
        app.Map("/e/{key}/{**page}", async (HttpContext http, string key, string? page) =>
        {
            if (site is null || !site._episodes.TryGetValue(key, out var episode))
            {
                return Results.NotFound("unknown episode");
            }

            var values = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var (name, v) in http.Request.Query)
            {
                values[name] = [.. v.Where(x => x is not null).Select(x => x!)];
            }

            if (http.Request.HasFormContentType)
            {
                var form = await http.Request.ReadFormAsync(http.RequestAborted);
                foreach (var (name, v) in form)
                {
                    values[name] = [.. v.Where(x => x is not null).Select(x => x!)];
                }
            }

            string html;
            lock (episode.Gate)
            {
                html = episode.Finished
                    ? Html.Page("Finished", Html.Finished(episode.Reward > 0))
                    : episode.Instance.Respond(episode, page ?? "", new SiteArgs(values));
            }

            return Results.Content(html, "text/html; charset=utf-8");
        });
        app.MapGet("/", () => Results.Content(Html.Page("AgentSilo tasks", "<p>AgentSilo built-in web tasks.</p>"), "text/html; charset=utf-8"));
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site = new TaskSite(app, new Uri(address.EndsWith('/') ? address : address + "/"));
        return site;
    }

    /// <summary>Opens an episode of a built-in task instance; its start URL is <see cref="StartUri"/>.</summary>
    public SiteEpisode Open(string taskId, int seed) => Open(BuiltInTasks.Get(taskId).Create(seed));

    public SiteEpisode Open(SiteInstance instance)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var episode = new SiteEpisode(key, instance);
        _episodes[key] = episode;
        return episode;
    }

    public Uri StartUri(SiteEpisode episode) => new(BaseUri, $"e/{episode.Key}/");

    /// <summary>Forgets an episode (its pages answer 404 afterwards).</summary>
    public void Close(SiteEpisode episode) => _episodes.TryRemove(episode.Key, out _);

    /// <summary>Episodes open now.</summary>
    public int OpenEpisodes => _episodes.Count;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
