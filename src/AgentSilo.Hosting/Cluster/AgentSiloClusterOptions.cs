using System.Net;
using Microsoft.Extensions.Options;

namespace AgentSilo.Hosting.Cluster;

/// <summary>
/// How a silo joins (or a client finds) an AgentSilo cluster: Redis for membership and grain state, identities, endpoints.
/// Every setting has an environment variable (see <see cref="EnvironmentVariables"/>), which the command line overrides.
/// </summary>
public sealed class AgentSiloClusterOptions
{
    /// <summary>The Redis connection string (StackExchange.Redis syntax, e.g. "127.0.0.1:6379"). Required; no default.</summary>
    public string Redis { get; set; } = "";

    /// <summary>The cluster's id: silos and clients with the same id form one cluster. Default "agentsilo".</summary>
    public string ClusterId { get; set; } = "agentsilo";

    /// <summary>The service's id: it keys persisted grain state, so it stays the same across deployments. Default "agentsilo".</summary>
    public string ServiceId { get; set; } = "agentsilo";

    /// <summary>Silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address the silo listens on. Default 127.0.0.1 (loopback only); 0.0.0.0 in containers.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The address other silos and clients reach this one at: an IP address or a host name (resolved at start). Default: the
    /// listen address, or when that is 0.0.0.0 (containers) this host's first non-loopback IPv4 address.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>The silo's name in `agentsilo status`. Default "silo-{silo port}".</summary>
    public string? SiloName { get; set; }

    /// <summary>The accelerator this silo offers ("cuda", "none"). Default null: detected (torch.cuda.is_available()).</summary>
    public string? Accelerator { get; set; }

    /// <summary>Whether this silo offers a browser. Default null: detected (a Chromium executable is present).</summary>
    public bool? Browser { get; set; }

    /// <summary>
    /// The port of this silo's Orleans Dashboard (grains, calls, latencies, silos; at http://{listen address}:{port}/), or
    /// null for none. Default null.
    /// </summary>
    public int? DashboardPort { get; set; }

    /// <summary>
    /// How long a silo waits for a probe answer before counting it missed; a dead silo is declared dead after
    /// <see cref="MissedProbesLimit"/> misses. Default 5 s (Orleans' default); tests use 1 s.
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Missed probes before a silo is suspected dead. Default 3 (Orleans' default).</summary>
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>Tries to reach Redis before giving up with a clear error, waiting 0.5 s, 1 s, 2 s, ... between them. Default 5 (silo), the client uses 2.</summary>
    public int RedisConnectAttempts { get; set; } = 5;

    /// <summary>Timeout of one Redis connection attempt. Default 3 s.</summary>
    public TimeSpan RedisConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The environment variables that configure a silo or client (names as in deploy/ and the README).</summary>
    public static class EnvironmentVariables
    {
        public const string Redis = "AGENTSILO_REDIS";
        public const string ClusterId = "AGENTSILO_CLUSTER_ID";
        public const string ServiceId = "AGENTSILO_SERVICE_ID";
        public const string SiloPort = "AGENTSILO_SILO_PORT";
        public const string GatewayPort = "AGENTSILO_GATEWAY_PORT";
        public const string ListenAddress = "AGENTSILO_LISTEN";
        public const string AdvertisedAddress = "AGENTSILO_ADVERTISE";
        public const string SiloName = "AGENTSILO_SILO_NAME";
        public const string Accelerator = "AGENTSILO_ACCELERATOR";
        public const string Browser = "AGENTSILO_BROWSER";
        public const string Data = "AGENTSILO_DATA";
        public const string Device = "AGENTSILO_DEVICE";
        public const string Threads = "AGENTSILO_THREADS";
        public const string DashboardPort = "AGENTSILO_DASHBOARD_PORT";

        /// <summary>Every name above.</summary>
        public static IReadOnlyList<string> All { get; } =
            [Redis, ClusterId, ServiceId, SiloPort, GatewayPort, ListenAddress, AdvertisedAddress, SiloName, Accelerator, Browser, Data, Device, Threads, DashboardPort];
    }
}

/// <summary>Names the cluster setting that is wrong and why.</summary>
public sealed class AgentSiloClusterOptionsValidator : IValidateOptions<AgentSiloClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentSiloClusterOptions options)
    {
        var errors = Errors(options, silo: true);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>The problems with <paramref name="options"/>; a client checks only what it uses (<paramref name="silo"/> false).</summary>
    public static List<string> Errors(AgentSiloClusterOptions options, bool silo)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Redis))
        {
            errors.Add($"Redis: a connection string is required (--redis, or {AgentSiloClusterOptions.EnvironmentVariables.Redis})");
        }

        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            errors.Add("ClusterId must not be empty");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            errors.Add("ServiceId must not be empty");
        }

        if (!silo)
        {
            return errors;
        }

        if (options.SiloPort is < 1 or > 65535)
        {
            errors.Add($"SiloPort must be a TCP port (1-65535), got {options.SiloPort}");
        }

        if (options.GatewayPort is < 1 or > 65535 || options.GatewayPort == options.SiloPort)
        {
            errors.Add($"GatewayPort must be a TCP port (1-65535) other than the silo port, got {options.GatewayPort}");
        }

        if (options.DashboardPort is { } dashboard && (dashboard is < 1 or > 65535 || dashboard == options.SiloPort || dashboard == options.GatewayPort))
        {
            errors.Add($"DashboardPort must be a TCP port (1-65535) other than the silo and gateway ports, got {dashboard}");
        }

        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            errors.Add($"ListenAddress must be an IP address, got '{options.ListenAddress}'");
        }

        if (options.AdvertisedAddress is { } advertised && (string.IsNullOrWhiteSpace(advertised) || advertised == "0.0.0.0"))
        {
            errors.Add($"AdvertisedAddress must be an address others can reach, got '{advertised}'");
        }

        if (options.Accelerator is not null && string.IsNullOrWhiteSpace(options.Accelerator))
        {
            errors.Add("Accelerator must name one (e.g. cuda) or be none");
        }

        if (options.ProbeTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ProbeTimeout must be positive, got {options.ProbeTimeout}");
        }

        if (options.MissedProbesLimit < 1 || options.RedisConnectAttempts < 1)
        {
            errors.Add("MissedProbesLimit and RedisConnectAttempts must be at least 1");
        }

        return errors;
    }
}
