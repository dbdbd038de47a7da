using Orleans.Concurrency;

namespace AgentSilo.Grains;

/// <summary>
/// One search of an HGM run: a tree of agent self-modifications grown by one scheduler from one seed. Keyed
/// "{run}/{method}/s{seed}". The search runs in the background (start, then poll); its tree is persisted after every
/// evaluation, so a restarted silo resumes it with the same tree.
/// </summary>
public interface IHgmTreeGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts (or, with <paramref name="resume"/>, continues) the search and returns at once. Resuming needs the same spec,
    /// except that the budget may grow; a search with evaluations is not restarted without it.
    /// </summary>
    Task<HgmSearchStatus> StartAsync(HgmSearchRequest request, bool resume);

    [AlwaysInterleave]
    Task<HgmSearchStatus> GetStatusAsync();

    /// <summary>The search state as JSON: the tree (every node's variant, modification, own outcomes, clade counts), the trace of best agents.</summary>
    [AlwaysInterleave]
    Task<string?> GetTreeJsonAsync();

    /// <summary>Stops after the evaluations in flight; the tree stays.</summary>
    [AlwaysInterleave]
    Task CancelAsync();
}

/// <summary>
/// One agent of a tree: its variant and the modification that made it, its own outcomes, and its clade's pooled outcomes,
/// updated as descendants report (each node reports to its parent, up the chain). Keyed "{tree}/n{id}". Persisted.
/// </summary>
public interface IHgmNodeGrain : IGrainWithStringKey
{
    Task InitializeAsync(HgmNodeInfo info);

    /// <summary>Records one of this node's own task evaluations; an evaluation id seen before is ignored. Reports it up the chain.</summary>
    Task RecordAsync(string evaluationId, bool solved);

    /// <summary>A descendant's evaluation, for the clade counts; ids seen before are ignored. Passed on to the parent.</summary>
    Task ReportCladeAsync(string evaluationId, bool solved);

    [AlwaysInterleave]
    Task<HgmNodeCounts> GetCountsAsync();
}

/// <summary>What a search runs: the HGM spec (canonical JSON), which scheduler, which seed, on which policy version.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.HgmSearchRequest")]
public sealed record HgmSearchRequest(
    [property: Id(0)] string SpecJson,
    [property: Id(1)] string Method,
    [property: Id(2)] long Seed,
    [property: Id(3)] PolicyVersion Policy);

/// <summary>Where a search stands.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.HgmSearchStatus")]
public sealed record HgmSearchStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] ExperimentPhase Phase,
    [property: Id(2)] int Evaluations,
    [property: Id(3)] int Budget,
    [property: Id(4)] int Nodes,
    [property: Id(5)] string? BestAgent,
    [property: Id(6)] string? Error);

/// <summary>A node's identity in the tree.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.HgmNodeInfo")]
public sealed record HgmNodeInfo(
    [property: Id(0)] string Tree,
    [property: Id(1)] int Id,
    [property: Id(2)] int? Parent,
    [property: Id(3)] string Variant,
    [property: Id(4)] string? Modification);

/// <summary>A node's own and clade outcome counts.</summary>
[GenerateSerializer, Immutable, Alias("AgentSilo.HgmNodeCounts")]
public sealed record HgmNodeCounts(
    [property: Id(0)] int OwnSuccesses,
    [property: Id(1)] int OwnFailures,
    [property: Id(2)] int CladeSuccesses,
    [property: Id(3)] int CladeFailures);
