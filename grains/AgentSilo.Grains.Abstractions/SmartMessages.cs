using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>The calculator of SMART's tool strategy: arithmetic only, bounded, errors not exceptions (stateless worker).</summary>
public interface ICalculatorGrain : IGrainWithIntegerKey
{
    /// <summary>Runs each program under the given limits; a refused program comes back with its error.</summary>
    Task<IReadOnlyList<CalculatorResult>> RunAsync(IReadOnlyList<string> programs, CalculatorLimits limits);
}

/// <summary>Owns a SMART experiment's strategy statistics (per round, family and strategy) and its exploration schedule.</summary>
public interface IStrategySelectorGrain : IGrainWithStringKey
{
    Task ConfigureAsync(StrategyScheduleSettings settings);

    Task<StrategyRoundSchedule> ScheduleAsync(int round);

    /// <summary>Records a round's episodes (replacing any earlier record of that round); returns each family's reward baseline.</summary>
    Task<IReadOnlyDictionary<string, double>> RecordAsync(int round, IReadOnlyList<StrategyEpisodeOutcome> outcomes);

    /// <summary>Every recorded round's statistics.</summary>
    Task<IReadOnlyList<StrategyStatisticsCell>> GetStatisticsAsync();
}

[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.CalculatorLimits")]
public sealed record CalculatorLimits([property: Id(0)] int MaxLength, [property: Id(1)] long MaxValue, [property: Id(2)] int MaxDepth);

[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.CalculatorResult")]
public sealed record CalculatorResult([property: Id(0)] bool Ok, [property: Id(1)] long Value, [property: Id(2)] string? Error);

[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.ScheduleSettings")]
public sealed record StrategyScheduleSettings([property: Id(0)] double Epsilon, [property: Id(1)] double Decay, [property: Id(2)] double Temperature);

[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.RoundSchedule")]
public sealed record StrategyRoundSchedule([property: Id(0)] int Round, [property: Id(1)] double Epsilon, [property: Id(2)] double Temperature);

/// <summary>One episode's first choice and how it went.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.EpisodeOutcome")]
public sealed record StrategyEpisodeOutcome(
    [property: Id(0)] string Family,
    [property: Id(1)] string First,
    [property: Id(2)] bool FirstCorrect,
    [property: Id(3)] double FirstReward,
    [property: Id(4)] double FirstCost,
    [property: Id(5)] bool FinalCorrect);

/// <summary>Counts of one (round, family, strategy).</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.StatisticsCell")]
public sealed record StrategyStatisticsCell(
    [property: Id(0)] int Round,
    [property: Id(1)] string Family,
    [property: Id(2)] string Strategy,
    [property: Id(3)] int Episodes,
    [property: Id(4)] int Correct,
    [property: Id(5)] double RewardSum,
    [property: Id(6)] double CostSum);

/// <summary>
/// SMART's updates on the trainer grain (the same activation as <see cref="ITrainerGrain"/> of the experiment's key):
/// initialised from a SMART spec, then per round a REINFORCE step on the strategy tokens and supervised training on the
/// verified solutions, started and then polled; each run publishes the next policy version as a checkpoint.
/// </summary>
public interface ISmartTrainerGrain : IGrainWithStringKey
{
    /// <summary>Builds the learner from a SMART spec (JSON): fresh from its seed, or from <paramref name="resumeFrom"/>'s checkpoint.</summary>
    Task InitializeSmartAsync(string specJson, SmartVersion? resumeFrom);

    /// <summary>Starts the round's update (round 0: the base training) and returns at once.</summary>
    Task StartSmartUpdateAsync(SmartUpdateRequest request);

    [AlwaysInterleave]
    Task<SmartTrainerStatus> GetSmartStatusAsync();
}

/// <summary>Judges SMART's attempts in its critique vocabulary (a stateless worker).</summary>
public interface IStrategyCriticGrain : IGrainWithIntegerKey
{
    Task<IReadOnlyList<StrategyCritiqueResult>> JudgeAsync(IReadOnlyList<StrategyCritiqueRequest> attempts);
}

/// <summary>One training example as token ids, with its weight (an advantage, or 1).</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.WeightedTokens")]
public sealed record SmartTokens([property: Id(0)] int[] Prompt, [property: Id(1)] int[] Completion, [property: Id(2)] float Weight);

/// <summary>A round's update: policy-gradient examples on strategy tokens and verified solutions. Round 0 (the base) carries none.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.UpdateRequest")]
public sealed record SmartUpdateRequest(
    [property: Id(0)] int Round,
    [property: Id(1)] IReadOnlyList<SmartTokens> PolicyGradient,
    [property: Id(2)] IReadOnlyList<SmartTokens> Verified);

/// <summary>A published SMART policy version and what the update that made it reported.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.Version")]
public sealed record SmartVersion(
    [property: Id(0)] int Version,
    [property: Id(1)] string CheckpointPath,
    [property: Id(2)] string Sha256,
    [property: Id(3)] double RlLoss,
    [property: Id(4)] double SftLoss,
    [property: Id(5)] int Steps);

/// <summary>The SMART trainer's progress: the round it is on, its step, and the latest version it published.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.TrainerStatus")]
public sealed record SmartTrainerStatus(
    [property: Id(0)] TrainerPhase Phase,
    [property: Id(1)] int Round,
    [property: Id(2)] int Step,
    [property: Id(3)] SmartVersion? Published,
    [property: Id(4)] string? Error);

/// <summary>An attempt to judge: the problem (the critic values it itself), the strategy, and what the attempt produced.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.CritiqueRequest")]
public sealed record StrategyCritiqueRequest(
    [property: Id(0)] string Family,
    [property: Id(1)] string Expression,
    [property: Id(2)] string Strategy,
    [property: Id(3)] long? Answer,
    [property: Id(4)] string? Error);

/// <summary>The critic's word: the kind (index of AgentSilo.Smart.CritiqueKind) and the message.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.Smart.CritiqueResult")]
public sealed record StrategyCritiqueResult([property: Id(0)] int Kind, [property: Id(1)] string Message);
