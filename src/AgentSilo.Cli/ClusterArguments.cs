using System.CommandLine;
using System.Globalization;
using AgentSilo.Hosting.Cluster;
using Env = AgentSilo.Hosting.Cluster.AgentSiloClusterOptions.EnvironmentVariables;

namespace AgentSilo.Cli;

/// <summary>The options that name a cluster (shared by `silo`, `run --cluster` and `status`); each falls back to its environment variable.</summary>
internal sealed class ClusterArguments
{
    public Option<string?> ClusterId { get; } = new("--cluster-id")
    {
        Description = $"The cluster's id (default agentsilo; env {Env.ClusterId}).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.ClusterId),
    };

    public Option<string?> ServiceId { get; } = new("--service-id")
    {
        Description = $"The service's id, which keys persisted state (default agentsilo; env {Env.ServiceId}).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(Env.ServiceId),
    };

    public void AddTo(Command command)
    {
        command.Options.Add(ClusterId);
        command.Options.Add(ServiceId);
    }

    public AgentSiloClusterOptions Options(ParseResult parse, string redis)
    {
        var options = new AgentSiloClusterOptions { Redis = redis };
        options.ClusterId = parse.GetValue(ClusterId) ?? options.ClusterId;
        options.ServiceId = parse.GetValue(ServiceId) ?? options.ServiceId;
        return options;
    }

    public static int? EnvInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
