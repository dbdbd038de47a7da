using AgentSilo.Smart;

namespace AgentSilo.Grains;

/// <summary>SMART's calculator through the calculator grain (stateless workers, batches of programs per call).</summary>
public sealed class GrainArithmeticTool(IGrainFactory grains, InterpreterLimits limits, int batch = 512) : IArithmeticTool
{
    public async Task<IReadOnlyList<ToolResult>> RunAsync(IReadOnlyList<string> programs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(programs);
        var calculator = grains.GetGrain<ICalculatorGrain>(0);
        var wire = new CalculatorLimits(limits.MaxLength, limits.MaxValue, limits.MaxDepth);
        var chunks = await Task.WhenAll(programs.Chunk(batch).Select(c => calculator.RunAsync(c, wire)));
        return [.. chunks.SelectMany(c => c).Select(r => new ToolResult(r.Ok, r.Value, r.Error))];
    }
}

/// <summary>SMART's strategy selector through the strategy selector grain.</summary>
public sealed class GrainStrategySelector(IGrainFactory grains, string experiment) : IStrategySelector
{
    private readonly IStrategySelectorGrain _grain = grains.GetGrain<IStrategySelectorGrain>(experiment);

    public Task ConfigureAsync(double epsilon, double decay, double temperature) =>
        _grain.ConfigureAsync(new StrategyScheduleSettings(epsilon, decay, temperature));

    public async Task<StrategySchedule> ScheduleAsync(int round, CancellationToken cancellationToken = default)
    {
        var s = await _grain.ScheduleAsync(round);
        return new StrategySchedule(s.Round, s.Epsilon, s.Temperature);
    }

    public Task<IReadOnlyDictionary<string, double>> RecordAsync(int round, IReadOnlyList<EpisodeOutcome> outcomes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        return _grain.RecordAsync(round, [.. outcomes.Select(o => new StrategyEpisodeOutcome(
            o.Family, Strategies.Name(o.First), o.FirstCorrect, o.FirstReward, o.FirstCost, o.FinalCorrect))]);
    }

    public async Task<SelectorSnapshot> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        var cells = await _grain.GetStatisticsAsync();
        var rounds = cells.Count == 0 ? 0 : cells.Max(c => c.Round);
        return new SelectorSnapshot([.. Enumerable.Range(1, rounds).Select(r =>
            (IReadOnlyDictionary<string, IReadOnlyDictionary<Strategy, StrategyCell>>)cells.Where(c => c.Round == r).GroupBy(c => c.Family).ToDictionary(
                g => g.Key,
                g => (IReadOnlyDictionary<Strategy, StrategyCell>)g.ToDictionary(c => Strategies.FromName(c.Strategy)!.Value, c => new StrategyCell(c.Episodes, c.Correct, c.RewardSum, c.CostSum))))]);
    }
}
