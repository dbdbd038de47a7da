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

    /// <summary>
    /// True when a training round of an objective beyond SFT trains on a sample ingested for <paramref name="sampleRound"/>.
    /// Policy gradients (GRPO, REINFORCE) train on the round's own samples only, each once, as AReaL consumes every
    /// trajectory in one update: asynchronous rollouts draw the round's samples from an older version (within the bound,
    /// importance-corrected), but a sample of an earlier round, already trained on, is not trained on again (it would give
    /// the asynchronous arm more updates on the same data than the synchronous one). Preference objectives accumulate
    /// earlier rounds' pairs when <paramref name="accumulate"/> is set.
    /// </summary>
    /// <param name="sampleRound">The round the sample was drawn for.</param>
    /// <param name="sampledVersion">The policy version that drew it.</param>
    /// <param name="round">The round being trained.</param>
    /// <param name="trainerVersion">The trainer's latest published version.</param>
    /// <param name="maxStaleness">The staleness bound (train.max_staleness).</param>
    /// <param name="policyGradient">GRPO or REINFORCE.</param>
    /// <param name="accumulate">train.accumulate (preference objectives).</param>
    public static bool TrainsOn(int sampleRound, int sampledVersion, int round, int trainerVersion, int maxStaleness, bool policyGradient, bool accumulate) =>
        policyGradient
            ? sampleRound == round && !IsStale(trainerVersion, sampledVersion, maxStaleness)
            : accumulate ? sampleRound <= round : sampleRound == round;
}
