namespace AgentSilo.Hgm;

/// <summary>One agent in the tree: its variant, the modification that made it, its own outcomes and its clade's pooled ones.</summary>
public sealed class HgmNode
{
    internal HgmNode(int id, int? parentId, int depth, AgentVariant variant, Modification? modification, int bornAfter)
    {
        Id = id;
        ParentId = parentId;
        Depth = depth;
        Variant = variant;
        Modification = modification;
        BornAfter = bornAfter;
    }

    public int Id { get; }

    public int? ParentId { get; }

    public int Depth { get; }

    public AgentVariant Variant { get; }

    /// <summary>How the parent turned into this node; null for the root.</summary>
    public Modification? Modification { get; }

    /// <summary>Evaluations the search had completed when this node was made.</summary>
    public int BornAfter { get; internal set; }

    public List<int> Children { get; } = [];

    /// <summary>This node's own task evaluations, in completion order.</summary>
    public List<TaskOutcome> Outcomes { get; } = [];

    public int OwnSuccesses { get; internal set; }

    public int OwnFailures { get; internal set; }

    public int OwnEvaluations => OwnSuccesses + OwnFailures;

    /// <summary>Successes of this node and every descendant: the clade metaproductivity's evidence.</summary>
    public int CladeSuccesses { get; internal set; }

    public int CladeFailures { get; internal set; }

    public int CladeEvaluations => CladeSuccesses + CladeFailures;

    /// <summary>Own accuracy; 0 with no evaluations.</summary>
    public double OwnScore => OwnEvaluations == 0 ? 0 : (double)OwnSuccesses / OwnEvaluations;

    /// <summary>Evaluations a baseline scheduler has planned for this node (DGM's stages, greedy's fixed count); 0 for HGM.</summary>
    public int TargetEvaluations { get; set; }

    /// <summary>DGM only: 1 while in the first evaluation stage, 2 once it passed into the second.</summary>
    public int Stage { get; set; }
}

/// <summary>
/// The tree of self-modifications. Recording an outcome on a node adds it to that node's own counts and to the clade
/// counts of the node and each ancestor, so every clade estimate is exact pooled evidence, kept in O(depth) per outcome.
/// </summary>
public sealed class HgmTree
{
    private readonly List<HgmNode> _nodes = [];

    public HgmTree(AgentVariant root)
    {
        ArgumentNullException.ThrowIfNull(root);
        _nodes.Add(new HgmNode(0, null, 0, root, null, 0));
    }

    public IReadOnlyList<HgmNode> Nodes => _nodes;

    public HgmNode Root => _nodes[0];

    /// <summary>Task evaluations recorded over the whole tree.</summary>
    public int Evaluations { get; private set; }

    public HgmNode this[int id] => _nodes[id];

    public HgmNode AddChild(int parentId, AgentVariant variant, Modification modification)
    {
        var parent = _nodes[parentId];
        var child = new HgmNode(_nodes.Count, parentId, parent.Depth + 1, variant, modification, Evaluations);
        _nodes.Add(child);
        parent.Children.Add(child.Id);
        return child;
    }

    /// <summary>Records one task outcome on <paramref name="nodeId"/>; its clade and every ancestor's clade count it.</summary>
    public void Record(int nodeId, TaskOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var node = _nodes[nodeId];
        node.Outcomes.Add(outcome);
        if (outcome.Solved)
        {
            node.OwnSuccesses++;
        }
        else
        {
            node.OwnFailures++;
        }

        for (HgmNode? n = node; n is not null; n = n.ParentId is { } p ? _nodes[p] : null)
        {
            if (outcome.Solved)
            {
                n.CladeSuccesses++;
            }
            else
            {
                n.CladeFailures++;
            }
        }

        Evaluations++;
    }

    /// <summary>Every node of the clade rooted at <paramref name="nodeId"/> (itself first, then descendants depth-first).</summary>
    public IEnumerable<HgmNode> Clade(int nodeId)
    {
        var stack = new Stack<int>([nodeId]);
        while (stack.Count > 0)
        {
            var node = _nodes[stack.Pop()];
            yield return node;
            for (var i = node.Children.Count - 1; i >= 0; i--)
            {
                stack.Push(node.Children[i]);
            }
        }
    }
}
