namespace AgentSilo.Grains;

/// <summary>A node's persisted state: who it is, its own and clade counts, and the evaluation ids already counted.</summary>
[GenerateSerializer, Alias("AgentSilo.HgmNodeState")]
public sealed class HgmNodeState
{
    [Id(0)] public HgmNodeInfo? Info { get; set; }

    [Id(1)] public int OwnSuccesses { get; set; }

    [Id(2)] public int OwnFailures { get; set; }

    [Id(3)] public int CladeSuccesses { get; set; }

    [Id(4)] public int CladeFailures { get; set; }

    [Id(5)] public HashSet<string> Seen { get; set; } = [];
}

/// <summary>
/// One agent of an HGM tree. Its own evaluations count for it and its clade; a descendant's count for its clade only;
/// each is passed on to the parent, so the root's clade holds every evaluation of the tree. Evaluation ids make delivery
/// at-least-once safe: a resumed search may report an evaluation again.
/// </summary>
public sealed class HgmNodeGrain(
    [PersistentState("hgm-node", AgentSiloNames.Storage)] IPersistentState<HgmNodeState> state) : Grain, IHgmNodeGrain
{
    public async Task InitializeAsync(HgmNodeInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (state.State.Info is null)
        {
            state.State.Info = info;
            await state.WriteStateAsync();
        }
        else if (state.State.Info != info)
        {
            throw new InvalidOperationException($"node {this.GetPrimaryKeyString()} already holds {state.State.Info.Variant}, not {info.Variant}");
        }
    }

    public Task RecordAsync(string evaluationId, bool solved) => CountAsync(evaluationId, solved, own: true);

    public Task ReportCladeAsync(string evaluationId, bool solved) => CountAsync(evaluationId, solved, own: false);

    public Task<HgmNodeCounts> GetCountsAsync() => Task.FromResult(new HgmNodeCounts(
        state.State.OwnSuccesses, state.State.OwnFailures, state.State.CladeSuccesses, state.State.CladeFailures));

    private async Task CountAsync(string evaluationId, bool solved, bool own)
    {
        var info = state.State.Info ?? throw new InvalidOperationException($"node {this.GetPrimaryKeyString()} is not initialised");
        if (state.State.Seen.Add(evaluationId))
        {
            if (own)
            {
                state.State.OwnSuccesses += solved ? 1 : 0;
                state.State.OwnFailures += solved ? 0 : 1;
            }

            state.State.CladeSuccesses += solved ? 1 : 0;
            state.State.CladeFailures += solved ? 0 : 1;
            await state.WriteStateAsync();
        }

        // Passed on even when seen: a report lost between this node and its parent is repaired by the retry.
        if (info.Parent is { } parent)
        {
            await GrainFactory.GetGrain<IHgmNodeGrain>(HgmKeys.Node(info.Tree, parent)).ReportCladeAsync(evaluationId, solved);
        }
    }
}

/// <summary>Grain keys of HGM runs.</summary>
public static class HgmKeys
{
    public static string Tree(string run, string method, long seed) => $"{run}/{method}/s{seed}";

    public static string Node(string tree, int id) => $"{tree}/n{id}";
}
