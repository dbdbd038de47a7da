using AgentSilo.Smart;

namespace AgentSilo.Grains;

/// <summary>The selector's persisted state: its schedule settings and every recorded round's outcomes.</summary>
[GenerateSerializer, Alias("AgentSilo.Smart.SelectorState")]
public sealed class StrategySelectorState
{
    [Id(0)] public StrategyScheduleSettings? Settings { get; set; }

    [Id(1)] public Dictionary<int, List<StrategyEpisodeOutcome>> Rounds { get; set; } = [];
}

/// <summary>
/// SMART's strategy selector (key: experiment name): thin over <see cref="StrategySelector"/>. Owns the exploration
/// schedule and the per-round statistics of first choices; hands each family's reward baseline to the learner.
/// </summary>
public sealed class StrategySelectorGrain(
    [PersistentState("smart-selector", AgentSiloNames.Storage)] IPersistentState<StrategySelectorState> state) : Grain, IStrategySelectorGrain
{
    public async Task ConfigureAsync(StrategyScheduleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        state.State.Settings = settings;
        await state.WriteStateAsync();
    }

    public Task<StrategyRoundSchedule> ScheduleAsync(int round)
    {
        var s = Selector().Schedule(round);
        return Task.FromResult(new StrategyRoundSchedule(s.Round, s.Epsilon, s.Temperature));
    }

    public async Task<IReadOnlyDictionary<string, double>> RecordAsync(int round, IReadOnlyList<StrategyEpisodeOutcome> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        state.State.Rounds[round] = [.. outcomes];
        await state.WriteStateAsync();
        return Selector().Record(round, [.. outcomes.Select(ToOutcome)]);
    }

    public Task<IReadOnlyList<StrategyStatisticsCell>> GetStatisticsAsync()
    {
        var selector = Selector();
        foreach (var (round, outcomes) in state.State.Rounds.OrderBy(r => r.Key))
        {
            selector.Record(round, [.. outcomes.Select(ToOutcome)]);
        }

        var cells = selector.Snapshot().Rounds
            .SelectMany((families, i) => families.SelectMany(f => f.Value.Select(c => new StrategyStatisticsCell(
                i + 1, f.Key, Strategies.Name(c.Key), c.Value.Episodes, c.Value.Correct, c.Value.RewardSum, c.Value.CostSum))))
            .ToList();
        return Task.FromResult<IReadOnlyList<StrategyStatisticsCell>>(cells);
    }

    private StrategySelector Selector()
    {
        var s = state.State.Settings ?? throw new InvalidOperationException($"strategy selector {this.GetPrimaryKeyString()} is not configured");
        return new StrategySelector(s.Epsilon, s.Decay, s.Temperature);
    }

    private static EpisodeOutcome ToOutcome(StrategyEpisodeOutcome o) =>
        new(o.Family, Strategies.FromName(o.First) ?? throw new ArgumentException($"unknown strategy '{o.First}'"), o.FirstCorrect, o.FirstReward, o.FirstCost, o.FinalCorrect);
}
