using AgentSilo.Learning;
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

/// <summary>SMART's critic through the strategy critic grain (stateless workers, batches of attempts per call).</summary>
public sealed class GrainStrategyCritic(IGrainFactory grains, int batch = 512) : IStrategyCritic
{
    public async Task<IReadOnlyList<Critique>> JudgeAsync(IReadOnlyList<SmartProblem> problems, IReadOnlyList<Attempt> attempts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(attempts);
        var critic = grains.GetGrain<IStrategyCriticGrain>(0);
        var requests = problems.Select((p, i) => new StrategyCritiqueRequest(p.Family, p.Expression, Strategies.Name(attempts[i].Strategy), attempts[i].Answer, attempts[i].Error));
        var chunks = await Task.WhenAll(requests.Chunk(batch).Select(c => critic.JudgeAsync(c)));
        return [.. chunks.SelectMany(c => c).Select(r => new Critique((CritiqueKind)r.Kind, r.Message))];
    }
}

/// <summary>
/// SMART's updates through the trainer grain: each update is started, then polled until the trainer publishes the next
/// version (or fails); only token ids cross the boundary.
/// </summary>
public sealed class GrainSmartTrainer(IGrainFactory grains, SmartSpec spec, TimeSpan pollInterval, TimeProvider? time = null) : ISmartTrainer
{
    private readonly ISmartTrainerGrain _grain = grains.GetGrain<ISmartTrainerGrain>(spec.Name);

    public Task InitializeAsync(SmartPublished? resumeFrom, CancellationToken cancellationToken = default) =>
        _grain.InitializeSmartAsync(SmartSpecLoader.ToJson(spec), resumeFrom is null ? null
            : new SmartVersion(resumeFrom.Version, resumeFrom.CheckpointPath, resumeFrom.Sha256, resumeFrom.RlLoss, resumeFrom.SftLoss, resumeFrom.Steps));

    public async Task<SmartPublished> TrainAsync(SmartUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        static SmartTokens Tokens(TrainingExample e) => new(e.Prompt, e.Completion, e.Weight);
        await _grain.StartSmartUpdateAsync(new SmartUpdateRequest(update.Round, [.. update.PolicyGradient.Select(Tokens)], [.. update.Verified.Select(Tokens)]));
        while (true)
        {
            await Task.Delay(pollInterval, time ?? TimeProvider.System, cancellationToken);
            var status = await _grain.GetSmartStatusAsync();
            if (status.Phase == TrainerPhase.Failed)
            {
                throw new InvalidOperationException($"the trainer failed in round {update.Round}: {status.Error}");
            }

            if (status is { Phase: TrainerPhase.Done, Published: { } v } && status.Round == update.Round)
            {
                return new SmartPublished(v.Version, v.CheckpointPath, v.Sha256, v.RlLoss, v.SftLoss, v.Steps);
            }
        }
    }
}
