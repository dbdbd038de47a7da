using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// Owns one web world model (WebEvolver): learns from collected transitions to predict the next observation from
/// (observation, action): which elements disappear or change, whether the URL changes, the episode ends, the reward,
/// and the chance of success from there. Keyed by a world model name (e.g. the experiment id). Observations and
/// transitions cross the boundary as JSON (the web library's plain records), never tensors.
/// </summary>
public interface IWorldModelGrain : IGrainWithStringKey
{
    /// <summary>Adds transitions (a JSON array of WebTransition) and starts a training run on all of them in the background.</summary>
    Task<WorldModelStatus> TrainAsync(WorldModelTrainRequest request);

    [AlwaysInterleave]
    Task<WorldModelStatus> GetStatusAsync();

    /// <summary>Predicts the outcome of <paramref name="action"/> (text form, e.g. <c>click(3)</c>) in an observation (JSON).</summary>
    Task<WorldModelForecast> PredictAsync(string observationJson, string action);
}

/// <summary>Transitions to add, and the training run to start over all transitions so far.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WorldModelTrainRequest")]
public sealed record WorldModelTrainRequest(
    [property: Id(0)] string TransitionsJson,
    [property: Id(1)] int Steps,
    [property: Id(2)] int BatchSize,
    [property: Id(3)] double LearningRate,
    [property: Id(4)] int Seed);

/// <summary>Where the world model stands.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WorldModelStatus")]
public sealed record WorldModelStatus(
    [property: Id(0)] bool Training,
    [property: Id(1)] int Transitions,
    [property: Id(2)] int RunsFinished,
    [property: Id(3)] double LastLoss,
    [property: Id(4)] string? Error);

/// <summary>A prediction: probabilities of a navigation, the episode ending, the reward, success from there; element ids that disappear or change.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.WorldModelForecast")]
public sealed record WorldModelForecast(
    [property: Id(0)] float UrlChange,
    [property: Id(1)] float Done,
    [property: Id(2)] float Reward,
    [property: Id(3)] float Value,
    [property: Id(4)] IReadOnlyList<int> Removed,
    [property: Id(5)] IReadOnlyList<int> Changed);
