using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace AgentSilo.LanguageModels;

/// <summary>
/// Makes <see cref="IChatClient"/>s for OpenAI-compatible endpoints. Each client's pipeline is: a per-endpoint
/// concurrency limit, retries with exponential backoff and a per-attempt timeout, one-line errors naming the endpoint
/// (<see cref="ResilientChatClient"/>), then OpenTelemetry (GenAI conventions: spans and the token-usage histogram under
/// <see cref="TelemetrySourceName"/>), then the OpenAI client. One instance per process, so limits hold across callers.
/// </summary>
public sealed class LanguageModelClients : IDisposable
{
    /// <summary>The ActivitySource and Meter name of every chat call (telemetry subscribes to "AgentSilo.*").</summary>
    public const string TelemetrySourceName = "AgentSilo.LanguageModels";

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _gates = new(StringComparer.Ordinal);
    private readonly HttpClient _http;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider _time;

    /// <param name="loggerFactory">Logs of the telemetry client; optional.</param>
    /// <param name="time">Clock of backoff delays and timeouts; default the system's.</param>
    /// <param name="handler">The HTTP handler (tests); default a pooled <see cref="SocketsHttpHandler"/>.</param>
    public LanguageModelClients(ILoggerFactory? loggerFactory = null, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        _loggerFactory = loggerFactory;
        _time = time ?? TimeProvider.System;
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 256 })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // each attempt has its own timeout
        };
    }

    /// <summary>A chat client for <paramref name="endpoint"/>; throws <see cref="ArgumentException"/> naming what is wrong with it.</summary>
    public IChatClient Create(LanguageModelEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var errors = endpoint.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid language-model endpoint: " + string.Join("; ", errors), nameof(endpoint));
        }

        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(endpoint.BaseUrl),
            Transport = new HttpClientPipelineTransport(_http),
            RetryPolicy = new ClientRetryPolicy(0), // retries are ours, so every attempt is counted and timed the same way
            NetworkTimeout = endpoint.Timeout + TimeSpan.FromSeconds(5),
        };
        var openAi = new OpenAI.Chat.ChatClient(endpoint.Model, new ApiKeyCredential(endpoint.ReadApiKey() ?? "none"), options);
        var gate = _gates.GetOrAdd(endpoint.Key, _ => new SemaphoreSlim(endpoint.MaxConcurrency));
        return new ChatClientBuilder(openAi.AsIChatClient())
            .Use(inner => new ResilientChatClient(inner, endpoint, gate, _time))
            .UseOpenTelemetry(_loggerFactory, TelemetrySourceName)
            .Build();
    }

    /// <summary>Requests to <paramref name="endpoint"/> that may start now (for tests and diagnostics).</summary>
    public int AvailableSlots(LanguageModelEndpoint endpoint) =>
        _gates.TryGetValue(endpoint.Key, out var gate) ? gate.CurrentCount : endpoint.MaxConcurrency;

    public void Dispose()
    {
        _http.Dispose();
        foreach (var gate in _gates.Values)
        {
            gate.Dispose();
        }
    }
}

/// <summary>Registers <see cref="LanguageModelClients"/>.</summary>
public static class LanguageModelServiceCollectionExtensions
{
    /// <summary>One <see cref="LanguageModelClients"/> per process (per-endpoint concurrency limits are process-wide).</summary>
    public static IServiceCollection AddLanguageModels(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new LanguageModelClients(sp.GetService<ILoggerFactory>(), sp.GetService<TimeProvider>()));
        return services;
    }
}
