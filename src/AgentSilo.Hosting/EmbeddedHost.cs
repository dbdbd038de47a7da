using System.Net;
using System.Net.Sockets;
using AgentSilo.Grains;
using AgentSilo.Hosting.Telemetry;
using AgentSilo.Web.Browser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentSilo.Hosting;

/// <summary>The embedded default: one in-process silo on localhost whose grain state lives in SQLite under a data directory.</summary>
public static class EmbeddedHost
{
    /// <summary>
    /// Builds (does not start) a host with one silo on free loopback ports, so several runs can share a machine.
    /// <paramref name="logging"/> configures logging (the CLI sends logs to a file, tests to nothing); <paramref name="telemetry"/>,
    /// when given, turns on OpenTelemetry and trace propagation through grain calls (see <see cref="TelemetryOptions"/>);
    /// <paramref name="web"/> configures the silo's Chromium (path, timeouts, concurrent episodes).
    /// The caller owns the host's lifetime: Ctrl+C and SIGTERM are not the host's to take (the console lifetime would stop the
    /// silo under a running experiment), so a command cancels its experiment first, writes its results, then stops the host.
    /// </summary>
    public static IHost Create(
        string dataDirectory, Action<ILoggingBuilder>? logging = null, Action<AgentSiloOptions>? configure = null,
        Action<TelemetryOptions>? telemetry = null, Action<WebBrowserOptions>? web = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, CallerOwnedLifetime>();
        builder.Logging.ClearProviders();
        logging?.Invoke(builder.Logging);
        if (telemetry is not null)
        {
            builder.AddAgentSiloTelemetry(telemetry);
        }

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort: FreeTcpPort(), gatewayPort: FreeTcpPort())
                .AddEmbeddedAgentSilo(dataDirectory, configure, web);
            if (telemetry is not null)
            {
                silo.AddAgentSiloTelemetry();
            }
        });
        return builder.Build();
    }

    /// <summary>A host lifetime that hooks no signals: whoever built the host starts and stops it.</summary>
    private sealed class CallerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
