using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AgentSilo.LanguageModels.Tests;

/// <summary>A minimal HTTP endpoint on loopback whose /v1/chat/completions does what a test says (garbage, errors, delays).</summary>
public sealed class FakeEndpoint : IAsyncDisposable
{
    public const string Completion =
        """{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"42"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}}""";

    private readonly WebApplication _app;
    private int _calls;

    private FakeEndpoint(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<FakeEndpoint> StartAsync(Func<HttpContext, int, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var endpoint = new FakeEndpoint(app);
        app.MapPost("/v1/chat/completions", context => handler(context, Interlocked.Increment(ref endpoint._calls)));
        await app.StartAsync();
        endpoint.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/v1";
        return endpoint;
    }

    public static Task Json(HttpContext context, string body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
