using AgentSilo.Web;
using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Runs one web self-evolution experiment (WebEvolver) on a browser silo: the web policy explores the silo's built-in task
/// site in its shared Chromium, trains on its successful episodes (and the world model's imagined ones), and is evaluated
/// on held-out instances every round. Keyed by experiment name. The run outlasts a grain call: it is started, then polled.
/// Each round's policy is published as a <see cref="PolicyVersion"/> that <see cref="IWebPolicyGrain"/> serves.
/// </summary>
public interface IWebEvolutionGrain : IGrainWithStringKey
{
    /// <summary>Starts the run in the background; results.json, summary.md and checkpoints/ go to the request's directory.</summary>
    /// <exception cref="ArgumentException">The spec is invalid (the message names the field).</exception>
    /// <exception cref="InvalidOperationException">A run is already under way.</exception>
    Task<WebEvolutionStatus> StartAsync(WebEvolutionStart request);

    [AlwaysInterleave]
    Task<WebEvolutionStatus> GetStatusAsync();

    /// <summary>Stops the run between episodes; what finished stays in results.json.</summary>
    [AlwaysInterleave]
    Task CancelAsync();

    /// <summary>Up to <paramref name="count"/> bytes of a published policy checkpoint from <paramref name="offset"/>; empty past the end.</summary>
    [AlwaysInterleave]
    Task<byte[]> ReadCheckpointAsync(int version, long offset, int count);
}

/// <summary>A web evolution spec's text (YAML or JSON) and where its results go, as the silo sees the path.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WebEvolutionStart")]
public sealed record WebEvolutionStart(
    [property: Id(0)] string SpecText,
    [property: Id(1)] string OutputDirectory);

/// <summary>A task's held-out success after a round.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WebTaskSuccess")]
public sealed record WebTaskSuccess(
    [property: Id(0)] string Task,
    [property: Id(1)] double HeldOutSuccess);

/// <summary>
/// One finished round of a web evolution run (with validation on: the trained policy's validation success, the round whose
/// policy was kept, and whether validation kept the imagined trajectories and turned look-ahead on; null where not decided).
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WebEvolutionRound")]
public sealed record WebEvolutionRound(
    [property: Id(0)] int Round,
    [property: Id(1)] double HeldOutSuccess,
    [property: Id(2)] IReadOnlyList<WebTaskSuccess> Tasks,
    [property: Id(3)] int TotalRealSteps,
    [property: Id(4)] int KeptEpisodes,
    [property: Id(5)] int ImaginedSuccesses,
    [property: Id(6)] double Seconds,
    [property: Id(7)] double? ValidationSuccess = null,
    [property: Id(8)] int? PolicyFromRound = null,
    [property: Id(9)] bool? ImaginedKept = null,
    [property: Id(10)] bool? LookAheadUsed = null);

/// <summary>
/// Where a web evolution run stands: its state (idle, running, completed, failed or cancelled), the number of rounds it
/// runs (round 0 included), the rounds finished, the newest round's policy as <see cref="IWebPolicyGrain"/> serves it
/// (null before round 0 ends), and the error of a failed run.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WebEvolutionStatus")]
public sealed record WebEvolutionStatus(
    [property: Id(0)] string State,
    [property: Id(1)] int Rounds,
    [property: Id(2)] IReadOnlyList<WebEvolutionRound> Finished,
    [property: Id(3)] PolicyVersion? Published,
    [property: Id(4)] string? Error);

/// <summary>
/// Serves web policy versions published by <see cref="IWebEvolutionGrain"/>, like <see cref="IPolicyGrain"/> serves
/// language policies: loads the version's checkpoint (hash checked; fetched from the experiment's grain where the disk is
/// not shared) and chooses an action for an observation. A stateless worker on every silo.
/// </summary>
public interface IWebPolicyGrain : IGrainWithStringKey
{
    Task<WebActResult> ActAsync(WebActRequest request);
}

/// <summary>
/// An observation to act on with a published policy version, the episode's earlier actions (their signatures, as results
/// carry them) and its step limit; temperature 0 is greedy, above 0 samples with the seed.
/// </summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WebActRequest")]
public sealed record WebActRequest(
    [property: Id(0)] PolicyVersion Policy,
    [property: Id(1)] WebObservation Observation,
    [property: Id(2)] IReadOnlyList<string> History,
    [property: Id(3)] int MaxSteps,
    [property: Id(4)] float Temperature = 0,
    [property: Id(5)] long Seed = 0);

/// <summary>The chosen action in text form, its signature for the history, its probability, and how many candidates there were.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WebActResult")]
public sealed record WebActResult(
    [property: Id(0)] string Action,
    [property: Id(1)] string Signature,
    [property: Id(2)] float Probability,
    [property: Id(3)] int Candidates);
