namespace AgentSilo.Evolution;

/// <summary>The staleness bound: how far behind the trainer a trajectory's policy version may be and still be trained on.</summary>
public static class Staleness
{
    /// <summary>
    /// True when a sample from <paramref name="sampledVersion"/> is too old for a trainer at <paramref name="trainerVersion"/>:
    /// more than <paramref name="maxStaleness"/> versions behind (both as <see cref="Publication"/> numbers where
    /// intermediate versions are published). Version 0 means unknown (older clients): never stale.
    /// </summary>
    public static bool IsStale(int trainerVersion, int sampledVersion, int maxStaleness) =>
        sampledVersion > 0 && trainerVersion - sampledVersion > maxStaleness;

    /// <summary>
    /// The publication number of a version: how many versions the trainer has published up to it, intermediate ones
    /// included, the unit train.max_staleness counts in. Round r's version (r + 1) is 1 + r x
    /// <paramref name="perRound"/> (the base model 1; each later round publishes <paramref name="perRound"/> versions,
    /// its last at its end); an intermediate version carries its own number (<paramref name="publication"/> &gt; 0).
    /// Version 0 (unknown) stays 0: never stale.
    /// </summary>
    /// <param name="version">The round-level version (PolicyVersion.Version).</param>
    /// <param name="publication">An intermediate version's publication number; 0 for a round's version.</param>
    /// <param name="perRound">Versions published per round (<see cref="PublicationsPerRound"/>).</param>
    public static int Publication(int version, int publication, int perRound) =>
        publication > 0 ? publication : version <= 0 ? 0 : 1 + ((version - 1) * perRound);

    /// <summary>
    /// Versions a training round publishes: one at its end, plus one every <paramref name="publishEvery"/> optimiser steps
    /// before it (train.publish_every; 0: only the round's end).
    /// </summary>
    public static int PublicationsPerRound(int stepsPerRound, int publishEvery) =>
        publishEvery <= 0 || stepsPerRound <= publishEvery ? 1 : (stepsPerRound + publishEvery - 1) / publishEvery;

    /// <summary>
    /// True when a training round of an objective beyond SFT trains on a sample ingested for <paramref name="sampleRound"/>.
    /// Policy gradients (GRPO, REINFORCE) train on the round's own samples only, each once, as AReaL consumes every
    /// trajectory in one update: asynchronous rollouts draw the round's samples from an older version (within the bound,
    /// importance-corrected), but a sample of an earlier round, already trained on, is not trained on again (it would give
    /// the asynchronous arm more updates on the same data than the synchronous one). Preference objectives accumulate
    /// earlier rounds' pairs when <paramref name="accumulate"/> is set.
    /// </summary>
    /// <param name="sampleRound">The round the sample was drawn for.</param>
    /// <param name="sampledVersion">The policy version that drew it, in the unit of <paramref name="maxStaleness"/> (publications).</param>
    /// <param name="round">The round being trained.</param>
    /// <param name="trainerVersion">The trainer's latest published version, in the same unit.</param>
    /// <param name="maxStaleness">The staleness bound (train.max_staleness).</param>
    /// <param name="policyGradient">GRPO or REINFORCE.</param>
    /// <param name="accumulate">train.accumulate (preference objectives).</param>
    public static bool TrainsOn(int sampleRound, int sampledVersion, int round, int trainerVersion, int maxStaleness, bool policyGradient, bool accumulate) =>
        policyGradient
            ? sampleRound == round && !IsStale(trainerVersion, sampledVersion, maxStaleness)
            : accumulate ? sampleRound <= round : sampleRound == round;
}
