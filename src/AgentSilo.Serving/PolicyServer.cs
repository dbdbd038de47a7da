using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentSilo.Serving;

/// <summary>
/// The OpenAI-compatible server: a Kestrel app in the silo's process whose routes call the policy grains through the
/// silo's <see cref="IGrainFactory"/>. Binds 127.0.0.1 by default; another address needs an API key.
/// </summary>
public sealed class PolicyServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PolicyServer(WebApplication app, PolicyServerOptions options)
    {
        _app = app;
        Options = options;
    }

    public PolicyServerOptions Options { get; }

    /// <summary>The base URL clients use, "/v1" included (e.g. http://127.0.0.1:8000/v1); known once started.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>Builds the server; throws <see cref="OptionsValidationException"/> naming what is wrong with the options.</summary>
    public static PolicyServer Create(PolicyServerOptions options, IGrainFactory grains, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(grains);
        var validation = new PolicyServerOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(PolicyServerOptions), typeof(PolicyServerOptions), validation.Failures);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            var address = options.Address == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Address);
            k.Listen(address, options.Port);
        });
        builder.Services.AddSingleton(grains);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new PolicyCatalog(options.DataDirectory));
        var app = builder.Build();
        var key = options.ApiKeyEnv is null ? null : Environment.GetEnvironmentVariable(options.ApiKeyEnv);
        if (key is not null)
        {
            app.Use(async (context, next) =>
            {
                if (!Authorized(context.Request.Headers.Authorization.ToString(), key))
                {
                    await OpenAiEndpoints.Error(401, "a valid API key is required (Authorization: Bearer KEY)", "invalid_api_key")
                        .ExecuteAsync(context);
                    return;
                }

                await next(context);
            });
        }

        app.MapOpenAiCompatible();
        return new PolicyServer(app, options);
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.TrimEnd('/') + "/v1";
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    /// <summary>Cancelled when the server begins to stop, from <see cref="StopAsync"/> or a SIGTERM its host received.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static bool Authorized(string header, string key)
    {
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), Encoding.UTF8.GetBytes(key));
    }
}
