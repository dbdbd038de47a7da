using Orleans.Metadata;
using Orleans.Placement;

namespace AgentSilo.Grains;

/// <summary>What a silo can offer a grain, as advertised in its silo metadata.</summary>
public static class SiloCapability
{
    /// <summary>A GPU or other accelerator that torch can use (metadata value: its kind, e.g. "cuda", or "none").</summary>
    public const string Accelerator = "accelerator";

    /// <summary>A Chromium that Playwright can launch (metadata value: "true" or "false").</summary>
    public const string Browser = "browser";

    /// <summary>Logical processors (metadata value: a count).</summary>
    public const string Cpus = "cpus";

    /// <summary>The prefix of AgentSilo's keys in Orleans' silo metadata.</summary>
    public const string MetadataPrefix = "agentsilo.";

    /// <summary>True when a silo whose metadata is <paramref name="metadata"/> offers <paramref name="capability"/>.</summary>
    public static bool IsOffered(IReadOnlyDictionary<string, string> metadata, string capability)
    {
        if (!metadata.TryGetValue(MetadataPrefix + capability, out var value))
        {
            return false;
        }

        return capability == Accelerator
            ? !string.IsNullOrEmpty(value) && value != "none"
            : string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// Places a grain on a silo that offers a capability (an accelerator, a browser); where no compatible silo offers it,
/// on any compatible silo, with one warning. The capability travels in the grain type's properties, so one strategy
/// type serves every capability.
/// </summary>
[GenerateSerializer, Alias("AgentSilo.CapabilityPlacement")]
public sealed class CapabilityPlacement : PlacementStrategy
{
    /// <summary>The grain property that names the required capability.</summary>
    public const string CapabilityProperty = "agentsilo-capability";

    [Id(0)] public string Capability { get; set; } = "";

    public override void Initialize(GrainProperties properties)
    {
        Capability = properties.Properties.TryGetValue(CapabilityProperty, out var value) ? value : "";
    }

    public override void PopulateGrainProperties(IServiceProvider services, Type grainClass, GrainType grainType, Dictionary<string, string> properties)
    {
        base.PopulateGrainProperties(services, grainClass, grainType, properties);
        properties[CapabilityProperty] = Capability;
    }
}

/// <summary>
/// Prefer a silo with <paramref name="capability"/> (see <see cref="SiloCapability"/>) for this grain; e.g.
/// <c>[RequiresCapability(SiloCapability.Accelerator)]</c> on trainers, <c>[RequiresCapability(SiloCapability.Browser)]</c>
/// on web environments.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RequiresCapabilityAttribute(string capability) : PlacementAttribute(new CapabilityPlacement { Capability = capability })
{
    public string Capability { get; } = capability;
}
