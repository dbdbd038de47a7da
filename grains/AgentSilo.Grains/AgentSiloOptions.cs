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

    /// <summary>Rollout calls an experiment keeps in flight at once. Default 4.</summary>
    public int RolloutConcurrency { get; set; } = 4;

    /// <summary>Checkpoint of <paramref name="version"/> of <paramref name="policy"/>.</summary>
    public string CheckpointPath(string policy, int version) =>
        Path.Combine(Path.GetFullPath(DataDirectory), "checkpoints", policy, $"v{version:D4}.ckpt");
}

/// <summary>Names shared by grains and hosts.</summary>
public static class AgentSiloNames
{
    /// <summary>The grain storage provider that holds experiment and trainer state.</summary>
    public const string Storage = "agentsilo";
}
