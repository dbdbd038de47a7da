using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>One experiment: its spec, the round state machine (generate, judge, train, evaluate), its results. Keyed by experiment id.</summary>
public interface IExperimentGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the experiment (spec as canonical JSON) and returns at once; the rounds run in the background.
    /// With <paramref name="resume"/>, an experiment with finished rounds goes on after the last of them (the spec must be the
    /// same); without it, an experiment that already has rounds is refused.
    /// </summary>
    Task<ExperimentStatus> StartAsync(string specJson, bool resume);

    [AlwaysInterleave]
    Task<ExperimentStatus> GetStatusAsync();

    /// <summary>Stops after the step under way; finished rounds stay.</summary>
    [AlwaysInterleave]
    Task CancelAsync();
}

/// <summary>Serves policy versions: batched sampling with a KV cache. A stateless worker on every silo; loads checkpoints by version.</summary>
public interface IPolicyGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<SampledCompletion>> SampleAsync(SampleRequest request);
}

/// <summary>
/// Runs episodes of policy against task, producing trajectories tagged with the policy version. Keyed
/// <c>{experiment}/{slot}</c>: each experiment keeps its own slots busy, so experiments sharing a cluster never queue
/// behind each other's rollouts.
/// </summary>
public interface IRolloutGrain : IGrainWithStringKey
{
    Task<IReadOnlyList<Trajectory>> RunAsync(RolloutRequest request);
}

/// <summary>Judges trajectories: ground-truth verifier, majority vote, self-likelihood, length filter. A stateless worker.</summary>
public interface ICriticGrain : IGrainWithIntegerKey
{
    Task<JudgeResult> JudgeAsync(JudgeRequest request);
}

/// <summary>
/// Consumes selected trajectories and trains the policy on its own thread; writes checkpoints atomically and publishes
/// each new version. Keyed by experiment id. Training outlasts a grain call, so it is started, then polled.
/// </summary>
public interface ITrainerGrain : IGrainWithStringKey
{
    /// <summary>Builds the model: from <paramref name="resumeFrom"/>'s checkpoint, or freshly initialised from the spec's seed.</summary>
    Task<PolicyVersion?> InitializeAsync(string specJson, PolicyVersion? resumeFrom);

    /// <summary>Adds samples to the training pool; a trajectory id seen before is ignored. Returns how many were new.</summary>
    Task<int> SubmitAsync(IReadOnlyList<TrainingSample> samples);

    /// <summary>Starts the round's training (round 0: the labelled base data) and returns at once.</summary>
    Task StartTrainingAsync(int round, int steps);

    [AlwaysInterleave]
    Task<TrainingStatus> GetStatusAsync();

    /// <summary>
    /// Adds selected samples to the pool like <see cref="SubmitAsync"/>, but first drops those sampled from a policy more
    /// than <paramref name="maxStaleness"/> versions behind the trainer's latest, and says how many were fresh, seen or stale.
    /// </summary>
    Task<IngestResult> IngestAsync(IReadOnlyList<TrainingSample> samples, int maxStaleness);

    /// <summary>
    /// Up to <paramref name="count"/> bytes of a published checkpoint from <paramref name="offset"/>, for silos that do not share
    /// the trainer's disk; an empty array past the end.
    /// </summary>
    [AlwaysInterleave]
    Task<byte[]> ReadCheckpointAsync(int version, long offset, int count);

    /// <summary>
    /// Up to <paramref name="count"/> bytes of an intermediate version's checkpoint (train.publish_every), by its
    /// <see cref="PolicyVersion.Publication"/>, for silos that do not share the trainer's disk; an empty array past the end.
    /// </summary>
    [AlwaysInterleave]
    Task<byte[]> ReadPublicationAsync(int publication, long offset, int count);
}
