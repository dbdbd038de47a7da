using System.Diagnostics.Metrics;

namespace AgentSilo.Hgm;

/// <summary>The HGM area's meter (<c>AgentSilo.Hgm</c>): task evaluations and self-modifications, tagged by scheduler.</summary>
public static class HgmTelemetry
{
    public const string Name = "AgentSilo.Hgm";

    private static readonly Meter Meter = new(Name);

    /// <summary>Finished task evaluations; tags agentsilo.hgm.method, agentsilo.hgm.solved.</summary>
    public static readonly Counter<long> Evaluations = Meter.CreateCounter<long>("agentsilo.hgm.evaluations", description: "Task evaluations of agent variants");

    /// <summary>Children made by self-modification; tags agentsilo.hgm.method, agentsilo.hgm.modification.</summary>
    public static readonly Counter<long> Expansions = Meter.CreateCounter<long>("agentsilo.hgm.expansions", description: "Self-modifications (tree expansions)");
}
