using AgentSilo.Cli.Reports;
using AgentSilo.Evolution;
using AgentSilo.Grains;
using AgentSilo.Hosting.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace AgentSilo.Cli;

/// <summary>
/// `agentsilo run --cluster REDIS`: submits an experiment to a running cluster as a client, follows it and writes the same
/// results files as an embedded run. Polls ride out a silo's death: the experiment is reactivated on a survivor and resumes.
/// </summary>
internal static class ClusterRun
{
    /// <summary>
    /// How long a client waits for a gateway once Redis has listed live silos (a loaded machine is slow to answer). An
    /// unreachable Redis, or a cluster id with no silos, fails before this, within seconds.
    /// </summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);

    /// <summary>How long polls may fail in a row (a silo died; the cluster declares it dead and moves its grains) before giving up.</summary>
    private static readonly TimeSpan OutageLimit = TimeSpan.FromMinutes(2);

    public static async Task<int> RunAsync(
        FileInfo specFile, DirectoryInfo? output, bool resume, AgentSiloClusterOptions cluster, bool verbose, CancellationToken cancellationToken)
    {
        ExperimentSpec spec;
        try
        {
            spec = SpecLoader.LoadFile(specFile.FullName);
        }
        catch (SpecException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.BadInput;
        }

        using var client = await ConnectAsync(cluster, verbose, cancellationToken);
        if (client is null)
        {
            return ExitCodes.Unavailable;
        }

        var grains = client.Services.GetRequiredService<IGrainFactory>();
        var silos = await grains.GetGrain<IClusterRegistryGrain>(0).GetSilosAsync();
        if (spec.Device == "cuda" && !silos.Any(s => SiloCapability.IsOffered(s.Capabilities.ToDictionary(kv => SiloCapability.MetadataPrefix + kv.Key, kv => kv.Value), SiloCapability.Accelerator)))
        {
            Console.Error.WriteLine($"agentsilo: cluster '{cluster.ClusterId}' cannot run {spec.Name}: the spec asks for device cuda and none of its {silos.Count} silo(s) has an accelerator");
            return ExitCodes.BadInput;
        }

        var experiment = grains.GetGrain<IExperimentGrain>(spec.Name);
        var specJson = SpecLoader.ToJson(spec);
        try
        {
            var started = await experiment.StartAsync(specJson, resume);
            if (started.Rounds.Count > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"resuming after round {started.Rounds.Count - 1}");
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Console.Error.WriteLine($"agentsilo: cluster '{cluster.ClusterId}' refused {spec.Name}: {e.Message.Split('\n')[0]}");
            return ExitCodes.BadInput;
        }

        var outDir = output?.FullName ?? Path.GetFullPath(Path.Combine("runs", spec.Name));
        AnsiConsole.MarkupLineInterpolated($"[bold]{spec.Name}[/]: {spec.Method.Kind.ToString().ToLowerInvariant()} on {spec.Task.Suite}, {spec.Rounds} round(s) after the base, on cluster {cluster.ClusterId} ({silos.Count} silo(s)); results in {outDir}");
        var status = await RunCommand.FollowAsync(() => PollAsync(experiment, spec.Name, cancellationToken), experiment.CancelAsync, spec, outDir, cancellationToken);
        ResultsWriter.Write(outDir, spec, status);
        AnsiConsole.Write(ResultsTable.Render(status, live: false));
        AnsiConsole.WriteLine(ResultsWriter.Headline(spec, status));
        await client.StopAsync(CancellationToken.None);
        return status.Phase switch
        {
            ExperimentPhase.Completed => ExitCodes.Success,
            ExperimentPhase.Cancelled => ExitCodes.Interrupted,
            _ => RunCommand.Fail(status),
        };
    }

    /// <summary>A connected client, or null after saying in one line why there is none.</summary>
    public static async Task<IHost?> ConnectAsync(AgentSiloClusterOptions cluster, bool verbose, CancellationToken cancellationToken)
    {
        cluster.RedisConnectAttempts = 2;
        try
        {
            return await ClusterHost.ConnectClientAsync(cluster, ConnectTimeout, logging => logging
                .AddSimpleConsole(o => o.SingleLine = true)
                .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Critical)
                .Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace),
                cancellationToken);
        }
        catch (Exception e) when (e is ClusterUnavailableException or ArgumentException)
        {
            Console.Error.WriteLine($"agentsilo: {e.Message}");
            return null;
        }
    }

    /// <summary>
    /// The experiment's status; while polls fail (its silo died and the cluster has not yet moved it), keeps trying. The first
    /// poll that reaches a survivor reactivates the experiment there, which resumes the round under way.
    /// </summary>
    private static async Task<ExperimentStatus> PollAsync(IExperimentGrain experiment, string name, CancellationToken cancellationToken)
    {
        var outage = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await experiment.GetStatusAsync();
            }
            catch (Exception e) when (outage.Elapsed < OutageLimit && e is not OperationCanceledException)
            {
                if (attempt == 1)
                {
                    Console.Error.WriteLine($"agentsilo: lost contact with {name} ({e.GetType().Name}: {e.Message.Split('\n')[0]}); retrying while the cluster recovers");
                }

                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            }
        }
    }
}
