namespace AgentSilo.Grains;

/// <summary>
/// The cluster's registry: the experiments submitted to it and the silos in it, with what each offers. One per cluster
/// (key 0); its list of experiments is persisted, so `agentsilo status` sees them after any silo restarts.
/// </summary>
public interface IClusterRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Records an experiment (idempotent).</summary>
    Task RegisterExperimentAsync(string experimentId);

    Task<IReadOnlyList<string>> GetExperimentsAsync();

    /// <summary>The active silos, with the capabilities each advertises.</summary>
    Task<IReadOnlyList<SiloDescription>> GetSilosAsync();
}

/// <summary>An active silo and what it advertises (accelerator, browser, cpus, version: see SiloCapability).</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.SiloDescription")]
public sealed record SiloDescription(
    [property: Id(0)] string Address,
    [property: Id(1)] string Name,
    [property: Id(2)] string Status,
    [property: Id(3)] IReadOnlyDictionary<string, string> Capabilities);

/// <summary>What the trainer did with a batch of selected trajectories.</summary>
/// <param name="Fresh">New to the pool.</param>
/// <param name="Duplicates">Seen before (a retried rollout or round): ignored.</param>
/// <param name="Stale">Sampled from a policy more than max_staleness versions behind the trainer: dropped.</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.IngestResult")]
public sealed record IngestResult(
    [property: Id(0)] int Fresh,
    [property: Id(1)] int Duplicates,
    [property: Id(2)] int Stale);
