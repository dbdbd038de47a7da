using System.CommandLine;
using AgentSilo.Grains;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace AgentSilo.Cli;

/// <summary>`agentsilo status --cluster REDIS`: the cluster's silos (with their capabilities) and its experiments.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var cluster = new ClusterArguments();
        var redis = new Option<string?>("--cluster")
        {
            Description = $"The cluster's Redis address, e.g. 127.0.0.1:6379 (env {Hosting.Cluster.AgentSiloClusterOptions.EnvironmentVariables.Redis}).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Hosting.Cluster.AgentSiloClusterOptions.EnvironmentVariables.Redis),
        };
        var command = new Command("status", "List a cluster's silos, what each offers, and its experiments. Exit codes: 0, 2 bad input, 3 cluster unreachable.") { redis };
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(redis) is not { Length: > 0 } address)
            {
                Console.Error.WriteLine("agentsilo: --cluster (the Redis address) is required");
                return ExitCodes.BadInput;
            }

            var options = cluster.Options(parse, address);
            using var client = await ClusterRun.ConnectAsync(options, verbose: false, cancellationToken);
            if (client is null)
            {
                return ExitCodes.Unavailable;
            }

            var grains = client.Services.GetRequiredService<IGrainFactory>();
            var registry = grains.GetGrain<IClusterRegistryGrain>(0);
            var silos = await registry.GetSilosAsync();
            var siloTable = new Table().AddColumns("silo", "address", "accelerator", "browser", "cpus", "version");
            foreach (var s in silos)
            {
                siloTable.AddRow(
                    Markup.Escape(s.Name), Markup.Escape(s.Address), Cap(s, SiloCapability.Accelerator), Cap(s, SiloCapability.Browser),
                    Cap(s, SiloCapability.Cpus), Cap(s, "version"));
            }

            AnsiConsole.MarkupLineInterpolated($"cluster [bold]{options.ClusterId}[/] (service {options.ServiceId}): {silos.Count} silo(s)");
            AnsiConsole.Write(siloTable);
            var experiments = await registry.GetExperimentsAsync();
            var experimentTable = new Table().AddColumns("experiment", "status", "round", "step", "finished rounds");
            foreach (var id in experiments)
            {
                var status = await grains.GetGrain<IExperimentGrain>(id).GetStatusAsync();
                experimentTable.AddRow(
                    Markup.Escape(id), status.Phase.ToString().ToLowerInvariant(), $"{status.Round} of {status.TotalRounds - 1}",
                    Markup.Escape(status.Phase == ExperimentPhase.Running ? $"{status.Step} {status.StepDone}/{status.StepTotal}" : ""), $"{status.Rounds.Count}");
            }

            AnsiConsole.MarkupLineInterpolated($"{experiments.Count} experiment(s)");
            if (experiments.Count > 0)
            {
                AnsiConsole.Write(experimentTable);
            }

            await client.StopAsync(CancellationToken.None);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Cap(SiloDescription silo, string key) => Markup.Escape(silo.Capabilities.TryGetValue(key, out var v) ? v : "?");
}
