using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentSilo.Hgm;

/// <summary>A node as written to tree.json (and persisted): everything needed to rebuild it, and the counts for readers.</summary>
public sealed record NodeRecord(
    int Id,
    int? Parent,
    int Depth,
    AgentVariant Variant,
    Modification? Modification,
    int BornAfter,
    int TargetEvaluations,
    int Stage,
    int OwnSuccesses,
    int OwnFailures,
    int CladeSuccesses,
    int CladeFailures,
    IReadOnlyList<int> Children,
    IReadOnlyList<TaskOutcome> Outcomes);

/// <summary>A search's whole state: the tree, the scheduler's decision count, the best agent after each evaluation.</summary>
public sealed record SearchSnapshot(
    SearchSettings Settings,
    long Seed,
    int Decisions,
    IReadOnlyList<int> BestTrace,
    IReadOnlyList<NodeRecord> Nodes);

/// <summary>Writes and reads search state as JSON (snake_case, enums as names).</summary>
public static class TreeJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = false,
    };

    private static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };

    public static SearchSnapshot Snapshot(SearchEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var nodes = engine.Tree.Nodes.Select(n => new NodeRecord(
            n.Id, n.ParentId, n.Depth, n.Variant, n.Modification, n.BornAfter, n.TargetEvaluations, n.Stage,
            n.OwnSuccesses, n.OwnFailures, n.CladeSuccesses, n.CladeFailures, [.. n.Children], [.. n.Outcomes])).ToList();
        return new SearchSnapshot(engine.Settings, SeedOf(engine), engine.Decisions, [.. engine.BestTrace], nodes);
    }

    public static string Serialize(SearchSnapshot snapshot, bool indented = false) =>
        JsonSerializer.Serialize(snapshot, indented ? Indented : Options);

    public static SearchSnapshot Deserialize(string json) =>
        JsonSerializer.Deserialize<SearchSnapshot>(json, Options) ?? throw new InvalidDataException("empty search snapshot");

    /// <summary>Rebuilds the engine: nodes in id order, then every outcome replayed in the order the trace saw them.</summary>
    public static SearchEngine Restore(SearchSnapshot snapshot, IVariantModifier modifier)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var tree = new HgmTree(snapshot.Nodes[0].Variant);
        foreach (var record in snapshot.Nodes.Skip(1))
        {
            tree.AddChild(record.Parent!.Value, record.Variant, record.Modification!);
        }

        foreach (var record in snapshot.Nodes)
        {
            var node = tree[record.Id];
            node.TargetEvaluations = record.TargetEvaluations;
            node.Stage = record.Stage;
            node.BornAfter = record.BornAfter;
            foreach (var outcome in record.Outcomes)
            {
                tree.Record(record.Id, outcome);
            }
        }

        return new SearchEngine(snapshot.Settings, modifier, snapshot.Seed, tree, snapshot.Decisions, snapshot.BestTrace);
    }

    private static long SeedOf(SearchEngine engine) => engine.Seed;
}
