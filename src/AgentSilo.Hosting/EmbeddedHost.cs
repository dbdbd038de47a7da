using System.Net;
using System.Net.Sockets;
using AgentSilo.Grains;
using AgentSilo.Hosting.Telemetry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentSilo.Hosting;

/// <summary>The embedded default: one in-process silo on localhost whose grain state lives in SQLite under a data directory.</summary>
public static class EmbeddedHost
{
    /// <summary>
    /// Builds (does not start) a host with one silo on free loopback ports, so several runs can share a machine.
    /// <paramref name="logging"/> configures logging (the CLI sends logs to a file, tests to nothing); <paramref name="telemetry"/>,
    /// when given, turns on OpenTelemetry and trace propagation through grain calls (see <see cref="TelemetryOptions"/>).
    /// </summary>
    public static IHost Create(
        string dataDirectory, Action<ILoggingBuilder>? logging = null, Action<AgentSiloOptions>? configure = null,
        Action<TelemetryOptions>? telemetry = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        if (telemetry is not null)
        {
            builder.AddAgentSiloTelemetry(telemetry);
        }

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: FreeTcpPort(), gatewayPort: FreeTcpPort())
                .AddEmbeddedAgentSilo(dataDirectory, configure);
            if (telemetry is not null)
            {
                silo.AddAgentSiloTelemetry();
            }
        });
        return builder.Build();
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
