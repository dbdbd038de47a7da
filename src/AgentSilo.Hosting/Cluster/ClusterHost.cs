using System.Net;
using AgentSilo.Grains;
using AgentSilo.Hosting.Placement;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime.MembershipService.SiloMetadata;
using StackExchange.Redis;

namespace AgentSilo.Hosting.Cluster;

/// <summary>A cluster cannot be reached or joined: Redis is down, no silo of the cluster id is up, a gateway does not answer.</summary>
public sealed class ClusterUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Silos that join an AgentSilo cluster (Redis membership and grain state, capability metadata, Kubernetes hosting when in a
/// pod), and clients that submit to one.
/// </summary>
public static class ClusterHost
{
    /// <summary>
    /// Builds (does not start) a silo host. Redis must be reachable: see <see cref="ConnectRedisAsync"/>. With a
    /// <see cref="AgentSiloClusterOptions.DashboardPort"/>, the host is a web application serving the Orleans Dashboard too.
    /// </summary>
    public static IHost CreateSilo(
        AgentSiloClusterOptions cluster, string dataDirectory, SiloCapabilities capabilities,
        Action<ILoggingBuilder>? logging = null, Action<AgentSiloOptions>? configure = null)
    {
        var errors = AgentSiloClusterOptionsValidator.Errors(cluster, silo: true);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }

        var redis = RedisConfiguration(cluster, abortOnConnectFail: false);
        var data = Path.GetFullPath(dataDirectory);
        IHostApplicationBuilder builder = cluster.DashboardPort is { } dashboardPort
            ? DashboardBuilder(IPAddress.Parse(cluster.ListenAddress), dashboardPort)
            : Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.UseOrleans(silo =>
        {
            if (cluster.DashboardPort is not null)
            {
                silo.AddDashboard();
            }

            if (InKubernetes)
            {
                // The pod's labels name the cluster and service, its IP is advertised, and dead pods' silos are declared dead.
                silo.UseKubernetesHosting();
            }
            else
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                silo.Configure<EndpointOptions>(o =>
                {
                    var listen = IPAddress.Parse(cluster.ListenAddress);
                    o.AdvertisedIPAddress = AdvertisedAddress(cluster);
                    o.SiloPort = cluster.SiloPort;
                    o.GatewayPort = cluster.GatewayPort;
                    o.SiloListeningEndpoint = new IPEndPoint(listen, cluster.SiloPort);
                    o.GatewayListeningEndpoint = new IPEndPoint(listen, cluster.GatewayPort);
                });
                silo.Configure<SiloOptions>(o => o.SiloName = cluster.SiloName ?? $"silo-{cluster.SiloPort}");
            }

            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = cluster.ProbeTimeout;
                o.NumMissedProbesLimit = cluster.MissedProbesLimit;
            });
            silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
            silo.AddRedisGrainStorage(AgentSiloNames.Storage, o => o.ConfigurationOptions = redis);
            silo.UseSiloMetadata(capabilities.ToMetadata());
            silo.AddAgentSilo(o =>
            {
                o.DataDirectory = data;
                o.ResumeRunningExperiments = true;
                configure?.Invoke(o);
            });
        });
        if (builder is WebApplicationBuilder web)
        {
            var app = web.Build();
            app.MapOrleansDashboard();
            return app;
        }

        return ((HostApplicationBuilder)builder).Build();
    }

    /// <summary>A web host listening on <paramref name="address"/>:<paramref name="port"/> only (Kestrel, nothing else).</summary>
    private static WebApplicationBuilder DashboardBuilder(IPAddress address, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
        return builder;
    }

    /// <summary>True inside a Kubernetes pod set up as deploy/kubernetes does (POD_NAME, POD_NAMESPACE, POD_IP from the downward API).</summary>
    public static bool InKubernetes =>
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null && Environment.GetEnvironmentVariable("POD_NAME") is not null;

    /// <summary>
    /// Connects to the cluster's Redis, trying <see cref="AgentSiloClusterOptions.RedisConnectAttempts"/> times with a doubling
    /// wait (0.5 s, 1 s, ...); then throws <see cref="ClusterUnavailableException"/> naming the endpoint.
    /// </summary>
    public static async Task<IConnectionMultiplexer> ConnectRedisAsync(
        AgentSiloClusterOptions cluster, Action<string>? onRetry = null, CancellationToken cancellationToken = default)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ConnectionMultiplexer.ConnectAsync(RedisConfiguration(cluster, abortOnConnectFail: true));
            }
            catch (Exception e) when (e is RedisException or ArgumentException && attempt < cluster.RedisConnectAttempts)
            {
                onRetry?.Invoke($"Redis at {Endpoint(cluster)} is unreachable (try {attempt} of {cluster.RedisConnectAttempts}); retrying in {delay.TotalSeconds:0.#} s");
                await Task.Delay(delay, cancellationToken);
                delay *= 2;
            }
            catch (Exception e) when (e is RedisException or ArgumentException)
            {
                throw new ClusterUnavailableException(
                    $"cannot reach Redis at {Endpoint(cluster)} after {attempt} tr{(attempt == 1 ? "y" : "ies")}: {FirstLine(e.Message)}", e);
            }
        }
    }

    /// <summary>
    /// The active silos that Redis lists for the cluster. When there are none, throws <see cref="ClusterUnavailableException"/>
    /// saying so, and naming the cluster ids that do have silos there (a mismatched --cluster-id).
    /// </summary>
    public static async Task<int> CheckClusterAsync(IConnectionMultiplexer redis, AgentSiloClusterOptions cluster)
    {
        var db = redis.GetDatabase();
        var entries = await db.HashGetAllAsync(MembershipKey(cluster.ServiceId, cluster.ClusterId));
        var active = entries.Count(e => e.Name != "Version" && IsActive(e.Value));
        if (active > 0)
        {
            return active;
        }

        var prefix = $"{cluster.ServiceId}/members/";
        var others = new List<string>();
        foreach (var server in redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: prefix + "*"))
            {
                var id = key.ToString()[prefix.Length..];
                if (id != cluster.ClusterId && (await db.HashGetAllAsync(key)).Any(e => e.Name != "Version" && IsActive(e.Value)))
                {
                    others.Add(id);
                }
            }
        }

        throw new ClusterUnavailableException(others.Count > 0
            ? $"no silo of cluster '{cluster.ClusterId}' (service '{cluster.ServiceId}') is running at Redis {Endpoint(cluster)}; running there: cluster id(s) {string.Join(", ", others.Order().Select(o => $"'{o}'"))} (check --cluster-id)"
            : $"no silo of cluster '{cluster.ClusterId}' (service '{cluster.ServiceId}') is running at Redis {Endpoint(cluster)}; start one with `agentsilo silo --redis {Endpoint(cluster)}`");
    }

    /// <summary>
    /// Connects a client to a running cluster: Redis is checked first (fails within seconds when it is down or no silo of the
    /// cluster id is up), then a gateway, within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<IHost> ConnectClientAsync(
        AgentSiloClusterOptions cluster, TimeSpan timeout, Action<ILoggingBuilder>? logging = null, CancellationToken cancellationToken = default)
    {
        var errors = AgentSiloClusterOptionsValidator.Errors(cluster, silo: false);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }

        using (var probe = await ConnectRedisAsync(cluster, cancellationToken: cancellationToken))
        {
            await CheckClusterAsync(probe, cluster);
        }

        var redis = RedisConfiguration(cluster, abortOnConnectFail: true);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId))
            .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5))
            .UseRedisClustering(o => o.ConfigurationOptions = redis));
        var host = builder.Build();
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            await host.StartAsync(limit.Token);
            return host;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            throw new ClusterUnavailableException(
                $"cannot connect to a gateway of cluster '{cluster.ClusterId}' within {timeout.TotalSeconds:0} s: {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>The address this silo advertises: the configured one (resolved if a host name), the listen address, or this host's IPv4.</summary>
    public static IPAddress AdvertisedAddress(AgentSiloClusterOptions cluster)
    {
        if (cluster.AdvertisedAddress is { } configured)
        {
            return IPAddress.TryParse(configured, out var ip)
                ? ip
                : Dns.GetHostAddresses(configured).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                    ?? throw new ArgumentException($"AdvertisedAddress '{configured}' does not resolve to an IPv4 address");
        }

        var listen = IPAddress.Parse(cluster.ListenAddress);
        if (!listen.Equals(IPAddress.Any))
        {
            return listen;
        }

        return Dns.GetHostAddresses(Dns.GetHostName())
            .FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? throw new ArgumentException("listening on 0.0.0.0 but this host has no non-loopback IPv4 address to advertise; set AdvertisedAddress");
    }

    /// <summary>The Redis key under which the official Redis clustering provider keeps a cluster's membership table.</summary>
    public static string MembershipKey(string serviceId, string clusterId) => $"{serviceId}/members/{clusterId}";

    private static bool IsActive(RedisValue entry)
    {
        var text = entry.ToString();
        return text.Contains("\"Status\":3", StringComparison.Ordinal) || text.Contains("\"Status\":\"Active\"", StringComparison.Ordinal);
    }

    private static ConfigurationOptions RedisConfiguration(AgentSiloClusterOptions cluster, bool abortOnConnectFail)
    {
        var options = ConfigurationOptions.Parse(cluster.Redis);
        options.AbortOnConnectFail = abortOnConnectFail;
        options.ConnectTimeout = (int)cluster.RedisConnectTimeout.TotalMilliseconds;
        options.SyncTimeout = 5000;
        options.ConnectRetry = 1;
        options.AllowAdmin = false;
        return options;
    }

    private static string Endpoint(AgentSiloClusterOptions cluster) => cluster.Redis.Split(',')[0];

    /// <summary>
    /// The first line of a message, without StackExchange.Redis' advice to set abortConnect=false (which would only hide an
    /// unreachable Redis from our own retries).
    /// </summary>
    private static string FirstLine(string text)
    {
        var line = text.Split('\n')[0].Trim();
        var advice = line.IndexOf(" To allow this multiplexer to continue retrying", StringComparison.Ordinal);
        return advice > 0 ? line[..advice] : line;
    }
}
