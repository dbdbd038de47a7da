namespace AgentSilo.Smart;

/// <summary>The exploration schedule of one training round.</summary>
/// <param name="Round">The round (1 and up).</param>
/// <param name="Epsilon">Chance that an episode's first strategy is drawn uniformly instead of from the policy.</param>
/// <param name="Temperature">Temperature of the policy's strategy distribution when it is drawn from.</param>
public sealed record StrategySchedule(int Round, double Epsilon, double Temperature);

/// <summary>What one training episode did with its first choice: what the selector keeps statistics of.</summary>
public sealed record EpisodeOutcome(string Family, Strategy First, bool FirstCorrect, double FirstReward, double FirstCost, bool FinalCorrect);

/// <summary>Counts of one (family, strategy) pair.</summary>
public sealed record StrategyCell(int Episodes, int Correct, double RewardSum, double CostSum)
{
    public double MeanReward => Episodes == 0 ? 0 : RewardSum / Episodes;

    public double Accuracy => Episodes == 0 ? 0 : (double)Correct / Episodes;
}

/// <summary>The selector's state: every round's statistics per family and strategy.</summary>
public sealed record SelectorSnapshot(IReadOnlyList<IReadOnlyDictionary<string, IReadOnlyDictionary<Strategy, StrategyCell>>> Rounds);

/// <summary>Owns the strategy statistics and the exploration schedule (the strategy selector grain is thin over it).</summary>
public interface IStrategySelector
{
    Task<StrategySchedule> ScheduleAsync(int round, CancellationToken cancellationToken = default);

    /// <summary>Records a round's episodes; returns each family's reward baseline for the policy-gradient step.</summary>
    Task<IReadOnlyDictionary<string, double>> RecordAsync(int round, IReadOnlyList<EpisodeOutcome> outcomes, CancellationToken cancellationToken = default);

    Task<SelectorSnapshot> SnapshotAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// Statistics per round, family and strategy; the schedule: epsilon = Epsilon x Decay^(round - 1); the baseline of a
/// family: the mean first-attempt reward of its episodes in the round (it does not depend on the action taken, so the
/// policy gradient stays unbiased).
/// </summary>
public sealed class StrategySelector(double epsilon, double decay, double temperature) : IStrategySelector
{
    private readonly List<Dictionary<string, Dictionary<Strategy, StrategyCell>>> _rounds = [];

    public StrategySchedule Schedule(int round)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(round);
        return new StrategySchedule(round, epsilon * Math.Pow(decay, round - 1), temperature);
    }

    public IReadOnlyDictionary<string, double> Record(int round, IReadOnlyList<EpisodeOutcome> outcomes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(round);
        ArgumentNullException.ThrowIfNull(outcomes);
        while (_rounds.Count < round)
        {
            _rounds.Add([]);
        }

        var cells = _rounds[round - 1];
        cells.Clear();
        foreach (var o in outcomes)
        {
            if (!cells.TryGetValue(o.Family, out var family))
            {
                cells[o.Family] = family = [];
            }

            var cell = family.GetValueOrDefault(o.First, new StrategyCell(0, 0, 0, 0));
            family[o.First] = new StrategyCell(cell.Episodes + 1, cell.Correct + (o.FirstCorrect ? 1 : 0), cell.RewardSum + o.FirstReward, cell.CostSum + o.FirstCost);
        }

        return outcomes.GroupBy(o => o.Family).ToDictionary(g => g.Key, g => g.Average(o => o.FirstReward));
    }

    public SelectorSnapshot Snapshot() => new([.. _rounds.Select(r => (IReadOnlyDictionary<string, IReadOnlyDictionary<Strategy, StrategyCell>>)r.ToDictionary(
        f => f.Key, f => (IReadOnlyDictionary<Strategy, StrategyCell>)f.Value.ToDictionary(c => c.Key, c => c.Value)))]);

    public Task<StrategySchedule> ScheduleAsync(int round, CancellationToken cancellationToken = default) => Task.FromResult(Schedule(round));

    public Task<IReadOnlyDictionary<string, double>> RecordAsync(int round, IReadOnlyList<EpisodeOutcome> outcomes, CancellationToken cancellationToken = default) =>
        Task.FromResult(Record(round, outcomes));

    public Task<SelectorSnapshot> SnapshotAsync(CancellationToken cancellationToken = default) => Task.FromResult(Snapshot());
}
