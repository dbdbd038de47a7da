namespace AgentSilo.Evolution;

/// <summary>The staleness bound: how far behind the trainer a trajectory's policy version may be and still be trained on.</summary>
public static class Staleness
{
    /// <summary>
    /// True when a sample from <paramref name="sampledVersion"/> is too old for a trainer at <paramref name="trainerVersion"/>:
    /// more than <paramref name="maxStaleness"/> versions behind. Version 0 means unknown (older clients): never stale.
    /// </summary>
    public static bool IsStale(int trainerVersion, int sampledVersion, int maxStaleness) =>
        sampledVersion > 0 && trainerVersion - sampledVersion > maxStaleness;
}
