namespace AgentSilo.Hosting.Tests.Storage;

/// <summary>Grain state with nested collections, as an experiment's progress record has.</summary>
[GenerateSerializer, Alias("AgentSilo.Hosting.Tests.Storage.ExperimentProgress")]
public sealed class ExperimentProgress
{
    [Id(0)] public string ExperimentId { get; set; } = string.Empty;
    [Id(1)] public List<RoundResult> Rounds { get; set; } = [];
    [Id(2)] public Dictionary<string, List<double>> ScoresByCritic { get; set; } = [];
}

[GenerateSerializer, Alias("AgentSilo.Hosting.Tests.Storage.RoundResult")]
public sealed class RoundResult
{
    [Id(0)] public int Round { get; set; }
    [Id(1)] public double PassRate { get; set; }
    [Id(2)] public List<string> TaskIds { get; set; } = [];
}
