using Orleans.Runtime.MembershipService.SiloMetadata;
using Microsoft.Extensions.DependencyInjection;

namespace AgentSilo.Grains;

/// <summary>The registry's persisted state: every experiment submitted to the cluster.</summary>
[GenerateSerializer, Alias("AgentSilo.ClusterRegistryState")]
public sealed class ClusterRegistryState
{
    [Id(0)] public List<string> Experiments { get; set; } = [];
}

/// <summary>Remembers the cluster's experiments and describes its silos from the membership view and their silo metadata.</summary>
public sealed class ClusterRegistryGrain(
    [PersistentState("registry", AgentSiloNames.Storage)] IPersistentState<ClusterRegistryState> state,
    IClusterMembershipService membership,
    IServiceProvider services) : Grain, IClusterRegistryGrain
{
    public async Task RegisterExperimentAsync(string experimentId)
    {
        if (!state.State.Experiments.Contains(experimentId, StringComparer.Ordinal))
        {
            state.State.Experiments.Add(experimentId);
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> GetExperimentsAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Experiments]);

    public Task<IReadOnlyList<SiloDescription>> GetSilosAsync()
    {
        var metadata = services.GetService<ISiloMetadataCache>();
        IReadOnlyList<SiloDescription> silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => new SiloDescription(
                m.SiloAddress.Endpoint.ToString(),
                m.Name,
                m.Status.ToString(),
                (metadata?.GetSiloMetadata(m.SiloAddress).Metadata ?? [])
                    .Where(kv => kv.Key.StartsWith(SiloCapability.MetadataPrefix, StringComparison.Ordinal))
                    .ToDictionary(kv => kv.Key[SiloCapability.MetadataPrefix.Length..], kv => kv.Value, StringComparer.Ordinal)))
            .ToList();
        return Task.FromResult(silos);
    }
}
