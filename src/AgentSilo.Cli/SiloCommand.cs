using System.CommandLine;
using AgentSilo.Hosting.Cluster;
using AgentSilo.Hosting.Placement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Env = AgentSilo.Hosting.Cluster.AgentSiloClusterOptions.EnvironmentVariables;

namespace AgentSilo.Cli;

/// <summary>`agentsilo silo`: runs a silo that joins a cluster (Redis membership and grain state) until Ctrl+C or SIGTERM.</summary>
public static class SiloCommand
{
    public static Command Create()
    {
        var cluster = new ClusterArguments();
        var redis = new Option<string?>("--redis")
        {
            Description = $"Redis connection string, e.g. 127.0.0.1:6379 (env {Env.Redis}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.Redis),
        };
        var siloPort = new Option<int>("--silo-port")
        {
            Description = $"Silo-to-silo port (default 11111; env {Env.SiloPort}).",
            DefaultValueFactory = _ => ClusterArguments.EnvInt(Env.SiloPort) ?? 11111,
        };
        var gatewayPort = new Option<int>("--gateway-port")
        {
            Description = $"Client gateway port (default 30000; env {Env.GatewayPort}).",
            DefaultValueFactory = _ => ClusterArguments.EnvInt(Env.GatewayPort) ?? 30000,
        };
        var listen = new Option<string>("--listen")
        {
            Description = $"Address to listen on (default 127.0.0.1; 0.0.0.0 in containers; env {Env.ListenAddress}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.ListenAddress) ?? "127.0.0.1",
        };
        var advertise = new Option<string?>("--advertise")
        {
            Description = $"Address other silos and clients reach this one at (default: the listen address; env {Env.AdvertisedAddress}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.AdvertisedAddress),
        };
        var name = new Option<string?>("--name")
        {
            Description = $"Silo name shown by `agentsilo status` (default silo-<silo port>; env {Env.SiloName}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.SiloName),
        };
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = $"Checkpoint directory; share it between silos where you can (default .agentsilo; env {Env.Data}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.Data) is { } d ? new DirectoryInfo(d) : null,
        };
        var accelerator = new Option<string?>("--accelerator")
        {
            Description = $"The accelerator this silo offers: cuda, or none (default: detected; env {Env.Accelerator}). Trainers prefer silos with one.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.Accelerator),
        };
        var browser = new Option<bool?>("--browser")
        {
            Description = $"Whether this silo offers a browser (default: detected from a Chromium executable; env {Env.Browser}).",
            DefaultValueFactory = _ => bool.TryParse(Environment.GetEnvironmentVariable(Env.Browser), out var b) ? b : null,
        };
        var device = new Option<string>("--device")
        {
            Description = $"Torch device of this silo: auto, cpu or cuda (default auto; env {Env.Device}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.Device) ?? "auto",
        };
        var threads = new Option<int>("--threads")
        {
            Description = $"Torch intra-op threads (default 1; 0 uses every core; env {Env.Threads}).",
            DefaultValueFactory = _ => ClusterArguments.EnvInt(Env.Threads) ?? 1,
        };
        var probeTimeout = new Option<double>("--probe-timeout")
        {
            Description = "Seconds before a silo probe counts as missed; a silo is declared dead after 3 misses (default 5).",
            DefaultValueFactory = _ => 5,
        };
        var dashboard = new Option<int?>("--dashboard")
        {
            Description = $"Serve the Orleans Dashboard (grains, calls, latencies, silos) on this port of the listen address (default none; env {Env.DashboardPort}).",
            DefaultValueFactory = _ => ClusterArguments.EnvInt(Env.DashboardPort),
        };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show informational logs." };
        var command = new Command(
            "silo",
            "Run a silo that joins a cluster (Redis membership and grain state) and serves experiments submitted with " +
            "`agentsilo run --cluster`. Runs until Ctrl+C or SIGTERM. Exit codes: 0 stopped, 2 bad input, 3 Redis unreachable.")
        {
            redis, siloPort, gatewayPort, listen, advertise, name, data, accelerator, browser, device, threads, probeTimeout, dashboard, verbose,
        };
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(redis) is not { Length: > 0 } redisValue)
            {
                Console.Error.WriteLine($"agentsilo: --redis (or {Env.Redis}) is required");
                return ExitCodes.BadInput;
            }

            var options = cluster.Options(parse, redisValue);
            options.SiloPort = parse.GetValue(siloPort);
            options.GatewayPort = parse.GetValue(gatewayPort);
            options.ListenAddress = parse.GetValue(listen)!;
            options.AdvertisedAddress = parse.GetValue(advertise);
            options.SiloName = parse.GetValue(name);
            options.Accelerator = parse.GetValue(accelerator);
            options.Browser = parse.GetValue(browser);
            options.ProbeTimeout = TimeSpan.FromSeconds(parse.GetValue(probeTimeout));
            options.DashboardPort = parse.GetValue(dashboard);
            var deviceValue = parse.GetValue(device)!;
            var threadCount = parse.GetValue(threads);
            var errors = AgentSiloClusterOptionsValidator.Errors(options, silo: true);
            if (deviceValue is not ("auto" or "cpu" or "cuda"))
            {
                errors.Add($"--device must be auto, cpu or cuda, got '{deviceValue}'");
            }

            if (threadCount < 0)
            {
                errors.Add($"--threads must be 0 or more, got {threadCount}");
            }

            if (errors.Count > 0)
            {
                errors.ForEach(e => Console.Error.WriteLine($"agentsilo: {e}"));
                return ExitCodes.BadInput;
            }

            return await RunAsync(options, parse.GetValue(data)?.FullName ?? ".agentsilo", deviceValue, threadCount, parse.GetValue(verbose), cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(
        AgentSiloClusterOptions options, string dataDirectory, string device, int threads, bool verbose, CancellationToken cancellationToken)
    {
        try
        {
            (await ClusterHost.ConnectRedisAsync(options, message => Console.Error.WriteLine($"agentsilo: {message}"), cancellationToken)).Dispose();
        }
        catch (ClusterUnavailableException e)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return ExitCodes.Unavailable;
        }

        var capabilities = SiloCapabilities.Detect(options.Accelerator, options.Browser);
        using var host = ClusterHost.CreateSilo(options, dataDirectory, capabilities, logging => logging
            .AddCommandConsole(verbose)
            .AddFilter("AgentSilo", LogLevel.Information), // a server says what it does: experiments resumed, trainers placed, versions published
            o =>
            {
                o.Device = device;
                o.TorchThreads = threads;
            });
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"agentsilo: silo could not join cluster '{options.ClusterId}': {e.Message.Split('\n')[0]}");
            return ExitCodes.Unavailable;
        }

        var name = options.SiloName ?? $"silo-{options.SiloPort}";
        Console.WriteLine($"silo {name} joined cluster {options.ClusterId} at {options.AdvertisedAddress ?? options.ListenAddress}:{options.SiloPort} " +
            $"(gateway {options.GatewayPort}; {capabilities})");
        if (options.DashboardPort is { } port)
        {
            Console.WriteLine($"Orleans Dashboard: http://{options.ListenAddress}:{port}/");
        }

        // The host's console lifetime takes SIGTERM and Ctrl+C (and stops the host); the command's token covers the rest.
        // Stopping leaves the cluster gracefully: the silo's grains move to the others.
        await host.WaitForShutdownAsync(cancellationToken);
        Console.WriteLine($"silo {name} left cluster {options.ClusterId}");
        return ExitCodes.Success;
    }
}
