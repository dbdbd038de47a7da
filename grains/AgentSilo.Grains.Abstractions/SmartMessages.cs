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
