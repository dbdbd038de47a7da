namespace AgentSilo.Grains;

/// <summary>Settings every AgentSilo silo shares.</summary>
public sealed class AgentSiloOptions
{
    /// <summary>Where checkpoints (and, in the embedded default, the grain-state database) live. Default ".agentsilo".</summary>
    public string DataDirectory { get; set; } = ".agentsilo";

    /// <summary>Torch intra-op threads per process; 0 keeps torch's default (one per core). Default 0.</summary>
    public int TorchThreads { get; set; }

    /// <summary>How often the experiment polls a training run. Default 200 ms.</summary>
    public TimeSpan TrainerPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Most sequences (problems times samples) in one rollout call, so each call stays far inside the grain-call timeout. Default 512.</summary>
    public int MaxSequencesPerRollout { get; set; } = 512;

    /// <summary>Rollout calls an experiment keeps in flight at once per active silo (its rollout grains spread over the silos). Default 4.</summary>
    public int RolloutConcurrency { get; set; } = 4;

    /// <summary>
    /// The torch device this silo uses: "auto" (cuda when available), "cpu" or "cuda". A silo setting, since the process picks
    /// its device once. Default null: the spec's <c>device</c> (the embedded default, one process per experiment).
    /// </summary>
    public string? Device { get; set; }

    /// <summary>
    /// Resume an experiment whose stored phase is running when its grain activates, e.g. on a survivor after the silo that
    /// ran it died. Default false (the embedded default resumes only on --resume); cluster silos turn it on.
    /// </summary>
    public bool ResumeRunningExperiments { get; set; }

    /// <summary>Tries of one round before the experiment fails, when a step fails (a silo died, a call timed out). Default 3.</summary>
    public int MaxRoundAttempts { get; set; } = 3;

    /// <summary>Wait before retrying a failed round, doubled on each further try. Default 2 s.</summary>
    public TimeSpan RoundRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Checkpoint of <paramref name="version"/> of <paramref name="policy"/>.</summary>
    public string CheckpointPath(string policy, int version) =>
        Path.Combine(Path.GetFullPath(DataDirectory), "checkpoints", policy, $"v{version:D4}.ckpt");

    /// <summary>Where an intermediate version (train.publish_every) of a policy is written, by its publication number.</summary>
    public string PublicationPath(string policy, int publication) =>
        Path.Combine(Path.GetFullPath(DataDirectory), "checkpoints", policy, $"p{publication:D5}.ckpt");
}

/// <summary>Names shared by grains and hosts.</summary>
public static class AgentSiloNames
{
    /// <summary>The grain storage provider that holds experiment and trainer state.</summary>
    public const string Storage = "agentsilo";
}
