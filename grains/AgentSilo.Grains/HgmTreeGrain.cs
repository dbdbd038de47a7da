using AgentSilo.Evolution;
using AgentSilo.Hgm;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentSilo.Grains;

/// <summary>A search's persisted state: what it runs (spec, scheduler, seed, policy) and its tree, written after every evaluation.</summary>
[GenerateSerializer, Alias("AgentSilo.HgmTreeState")]
public sealed class HgmTreeState
{
    [Id(0)] public string? SpecJson { get; set; }

    [Id(1)] public string? Method { get; set; }

    [Id(2)] public long Seed { get; set; }

    [Id(3)] public PolicyVersion? Policy { get; set; }

    /// <summary>The search state (<see cref="TreeJson"/>): tree, decision count, best-agent trace.</summary>
    [Id(4)] public string? SnapshotJson { get; set; }

    [Id(5)] public ExperimentPhase Phase { get; set; }

    [Id(6)] public string? Error { get; set; }
}

/// <summary>
/// The scheduler of one search: the expansion-or-evaluation rule, Thompson sampling, the budget, and N asynchronous
/// workers (evaluations in flight at once, each a rollout-grain call). Every finished evaluation is recorded on its
/// node grain (which reports it up the chain of parents) and the tree is persisted, so a restarted silo resumes the
/// same tree; evaluations in flight at a crash are handed out again with the same task and seed.
/// </summary>
public sealed partial class HgmTreeGrain(
    [PersistentState("hgm-tree", AgentSiloNames.Storage)] IPersistentState<HgmTreeState> state,
    IOptions<AgentSiloOptions> options,
    ILogger<HgmTreeGrain> logger) : Grain, IHgmTreeGrain
{
    private const int MaxAttempts = 5;

    private readonly CancellationTokenSource _cancel = new();
    private Task? _run;
    private SearchEngine? _engine;
    private int _initialisedNodes;

    private string Id => this.GetPrimaryKeyString();

    public async Task<HgmSearchStatus> StartAsync(HgmSearchRequest request, bool resume)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_run is { IsCompleted: false })
        {
            throw new InvalidOperationException($"search {Id} is already running");
        }

        var spec = HgmSpecLoader.FromJson(request.SpecJson);
        var method = Enum.Parse<SearchMethod>(request.Method, ignoreCase: true);
        var settings = HgmSpecLoader.Settings(spec, method);
        var modifier = new RuleBasedModifier();
        SearchEngine engine;
        if (state.State.SnapshotJson is { } snapshot)
        {
            if (!resume)
            {
                throw new InvalidOperationException($"search {Id} already has a tree; resume it, or use a fresh data directory or name");
            }

            if (WithoutBudget(state.State.SpecJson!) != WithoutBudget(request.SpecJson) || state.State.Method != request.Method || state.State.Seed != request.Seed)
            {
                throw new InvalidOperationException($"search {Id} was started with another spec; resume needs the same spec (the budget may grow)");
            }

            engine = TreeJson.Restore(TreeJson.Deserialize(snapshot) with { Settings = settings }, modifier);
        }
        else
        {
            engine = new SearchEngine(settings, modifier, request.Seed, new HgmTree(spec.Hgm.Root.ToVariant()));
        }

        state.State.SpecJson = request.SpecJson;
        state.State.Method = request.Method;
        state.State.Seed = request.Seed;
        state.State.Policy = request.Policy;
        state.State.Phase = ExperimentPhase.Running;
        state.State.Error = null;
        state.State.SnapshotJson = TreeJson.Serialize(TreeJson.Snapshot(engine));
        await state.WriteStateAsync();
        _engine = engine;
        _initialisedNodes = 0;

        var plan = new Plan(HgmSpecLoader.PolicySpec(spec));
        var sampler = GrainPolicy.Sampler(GrainFactory, request.Policy, Id, options.Value.MaxSequencesPerRollout, options.Value.RolloutConcurrency);
        var evaluator = new TaskPoolEvaluator(plan.Suite, LocalHgmRun.TaskPool(plan, spec), sampler);
        _run = RunAsync(engine, evaluator, _cancel.Token);
        return Status();
    }

    public Task<HgmSearchStatus> GetStatusAsync() => Task.FromResult(Status());

    public Task<string?> GetTreeJsonAsync() => Task.FromResult(state.State.SnapshotJson);

    public Task CancelAsync()
    {
        _cancel.Cancel();
        return Task.CompletedTask;
    }

    private HgmSearchStatus Status()
    {
        var engine = _engine;
        int evaluations = 0, budget = 0, nodes = 0;
        string? best = null;
        if (engine is not null)
        {
            (evaluations, budget, nodes) = (engine.Completed, engine.Settings.Budget, engine.Tree.Nodes.Count);
            best = engine.BestTrace.Count > 0 ? engine.Tree[engine.BestTrace[^1]].Variant.Key : null;
        }
        else if (state.State.SnapshotJson is { } json)
        {
            var snapshot = TreeJson.Deserialize(json);
            (evaluations, budget, nodes) = (snapshot.BestTrace.Count, snapshot.Settings.Budget, snapshot.Nodes.Count);
            best = snapshot.BestTrace.Count > 0 ? snapshot.Nodes[snapshot.BestTrace[^1]].Variant.Key : null;
        }

        return new HgmSearchStatus(Id, state.State.Phase, evaluations, budget, nodes, best, state.State.Error);
    }

    private async Task RunAsync(SearchEngine engine, IAgentEvaluator evaluator, CancellationToken cancellationToken)
    {
        try
        {
            DelayDeactivation(TimeSpan.FromHours(1));
            await InitialiseNodesAsync(engine);
            await SearchRunner.RunAsync(engine, evaluator, async (ticket, outcome) =>
            {
                await InitialiseNodesAsync(engine);
                await RetryAsync(() => Node(ticket.NodeId).RecordAsync($"{ticket.NodeId}/{ticket.Task}", outcome.Solved));
                state.State.SnapshotJson = TreeJson.Serialize(TreeJson.Snapshot(engine));
                await RetryAsync(() => state.WriteStateAsync());
            }, cancellationToken);
            state.State.Phase = ExperimentPhase.Completed;
            LogFinished(logger, Id, engine.Completed, engine.Tree.Nodes.Count);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            state.State.Phase = ExperimentPhase.Cancelled;
        }
        catch (Exception e)
        {
            state.State.Phase = ExperimentPhase.Failed;
            state.State.Error = e.Message;
            LogFailed(logger, e, Id);
        }

        await InitialiseNodesAsync(engine);
        state.State.SnapshotJson = TreeJson.Serialize(TreeJson.Snapshot(engine));
        await state.WriteStateAsync();
    }

    /// <summary>Node grains for every node made since the last call, in id order (a parent before its children).</summary>
    private async Task InitialiseNodesAsync(SearchEngine engine)
    {
        for (; _initialisedNodes < engine.Tree.Nodes.Count; _initialisedNodes++)
        {
            var node = engine.Tree[_initialisedNodes];
            var info = new HgmNodeInfo(Id, node.Id, node.ParentId, node.Variant.Key, node.Modification?.ToString());
            await RetryAsync(() => Node(node.Id).InitializeAsync(info));
        }
    }

    /// <summary>
    /// Storage can be briefly unavailable (SQLite busy past its timeout on a loaded machine); node records are idempotent by
    /// evaluation id and state writes are whole, so a retry is safe and a search does not end on one failed write.
    /// </summary>
    private async Task RetryAsync(Func<Task> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await work();
                return;
            }
            catch (Exception e) when (attempt < MaxAttempts)
            {
                LogRetry(logger, e, Id, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt));
            }
        }
    }

    private IHgmNodeGrain Node(int id) => GrainFactory.GetGrain<IHgmNodeGrain>(HgmKeys.Node(Id, id));

    private static string WithoutBudget(string specJson)
    {
        var spec = HgmSpecLoader.FromJson(specJson);
        spec.Hgm.Budget = 1;
        return HgmSpecLoader.ToJson(spec);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Search {SearchId} finished: {Evaluations} evaluations, {Nodes} nodes")]
    private static partial void LogFinished(ILogger logger, string searchId, int evaluations, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Search {SearchId}: a node or state write failed on attempt {Attempt}; retrying")]
    private static partial void LogRetry(ILogger logger, Exception exception, string searchId, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Search {SearchId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string searchId);
}
