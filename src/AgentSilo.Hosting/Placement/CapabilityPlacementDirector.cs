using System.Collections.Concurrent;
using AgentSilo.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace AgentSilo.Hosting.Placement;

/// <summary>
/// Places a <see cref="CapabilityPlacement"/> grain on a compatible silo whose metadata offers the capability (this silo when
/// it does, else one at random); where none does, on any compatible silo, with one warning per capability. Silos without
/// metadata (the embedded default) have nothing to choose between, and say nothing.
/// </summary>
internal sealed partial class CapabilityPlacementDirector(IServiceProvider services, ILogger<CapabilityPlacementDirector> logger) : IPlacementDirector
{
    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var capability = ((CapabilityPlacement)strategy).Capability;
        var compatible = context.GetCompatibleSilos(target);
        var metadata = services.GetService<ISiloMetadataCache>();
        if (metadata is null)
        {
            return Task.FromResult(Pick(compatible, context.LocalSilo));
        }

        var offering = compatible.Where(s => SiloCapability.IsOffered(metadata.GetSiloMetadata(s).Metadata, capability)).ToArray();
        if (offering.Length > 0)
        {
            return Task.FromResult(Pick(offering, context.LocalSilo));
        }

        if (_warned.TryAdd(capability, true))
        {
            LogFallback(logger, target.GrainIdentity.Type.ToString() ?? "?", capability, compatible.Length);
        }

        return Task.FromResult(Pick(compatible, context.LocalSilo));
    }

    private static SiloAddress Pick(SiloAddress[] silos, SiloAddress local) =>
        silos.Contains(local) ? local : silos[Random.Shared.Next(silos.Length)];

    [LoggerMessage(Level = LogLevel.Warning, Message = "No silo offers the capability '{Capability}' that {GrainType} prefers; placing it on one of the {Count} compatible silo(s) instead (warned once)")]
    private static partial void LogFallback(ILogger logger, string grainType, string capability, int count);
}
