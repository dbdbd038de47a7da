namespace AgentSilo.Hgm;

/// <summary>
/// Grows one tree under one scheduler. <see cref="Next"/> makes the scheduler's decisions until one is an evaluation to
/// dispatch (expansions run the modifier at once); <see cref="Complete"/> records a finished one. Every decision draws
/// from a fresh generator seeded by (seed, decision number), so a search restored from its tree and decision count
/// goes on with the same random stream.
/// </summary>
public sealed class SearchEngine
{
    private readonly IVariantModifier _modifier;
    private readonly long _seed;
    private readonly Dictionary<int, int> _inFlight = [];
    private readonly List<int> _bestTrace;

    public SearchEngine(SearchSettings settings, IVariantModifier modifier, long seed, HgmTree tree, int decisions = 0, IEnumerable<int>? bestTrace = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(modifier);
        ArgumentNullException.ThrowIfNull(tree);
        var errors = settings.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid search settings: " + string.Join("; ", errors), nameof(settings));
        }

        Settings = settings;
        _modifier = modifier;
        _seed = seed;
        Tree = tree;
        Decisions = decisions;
        _bestTrace = [.. bestTrace ?? []];
        if (tree.Nodes.Count == 1 && tree.Root.TargetEvaluations == 0)
        {
            tree.Root.TargetEvaluations = settings.Method switch
            {
                SearchMethod.Dgm => settings.DgmStage1 + settings.DgmStage2,
                SearchMethod.Greedy => settings.GreedyEvaluations,
                _ => 0,
            };
        }
    }

    public SearchSettings Settings { get; }

    public long Seed => _seed;

    private string MethodName => Settings.Method.ToString().ToLowerInvariant();

    public HgmTree Tree { get; }

    /// <summary>Scheduler decisions made so far (the random stream's position).</summary>
    public int Decisions { get; private set; }

    /// <summary>Evaluations handed out and not yet completed.</summary>
    public int InFlight => _inFlight.Values.Sum();

    public int Completed => Tree.Evaluations;

    public bool Done => Completed >= Settings.Budget;

    /// <summary>The best agent's node id after each completed evaluation (index e: after e + 1 evaluations).</summary>
    public IReadOnlyList<int> BestTrace => _bestTrace;

    /// <summary>The next evaluation to run, or null when the budget is handed out or the scheduler must wait for results.</summary>
    public EvaluationTicket? Next()
    {
        for (var guard = 0; guard < 10_000; guard++)
        {
            if (Completed + InFlight >= Settings.Budget)
            {
                return null;
            }

            var random = new Random(DecisionSeed(Decisions++));
            var nodeToEvaluate = Settings.Method switch
            {
                SearchMethod.Hgm => DecideHgm(random),
                SearchMethod.Dgm => DecideStaged(random, DgmParent),
                _ => DecideStaged(random, GreedyParent),
            };
            if (nodeToEvaluate == Waiting)
            {
                Decisions--; // nothing drawn: the same decision is made again when results come in
                return null;
            }

            if (nodeToEvaluate >= 0)
            {
                return Ticket(nodeToEvaluate);
            }
        }

        throw new InvalidOperationException("the scheduler expanded 10000 times without an evaluation");
    }

    /// <summary>Records a finished evaluation and the best agent after it.</summary>
    public void Complete(EvaluationTicket ticket, TaskOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (!_inFlight.TryGetValue(ticket.NodeId, out var count) || count == 0)
        {
            throw new InvalidOperationException($"node {ticket.NodeId} has no evaluation in flight");
        }

        _inFlight[ticket.NodeId] = count - 1;
        Tree.Record(ticket.NodeId, outcome);
        HgmTelemetry.Evaluations.Add(1, new("agentsilo.hgm.method", MethodName), new("agentsilo.hgm.solved", outcome.Solved));
        var node = Tree[ticket.NodeId];
        if (Settings.Method == SearchMethod.Dgm && node.Stage == 1 && node.OwnEvaluations == Settings.DgmStage1)
        {
            if (node.OwnScore >= Settings.DgmThreshold && Settings.DgmStage2 > 0)
            {
                node.TargetEvaluations += Settings.DgmStage2;
                node.Stage = 2;
            }
            else
            {
                node.Stage = 0;
            }
        }

        _bestTrace.Add(BestAgent(Tree).Id);
    }

    /// <summary>
    /// The agent a search would hand over now, the same rule for every scheduler: the highest posterior mean minus two
    /// standard deviations of Beta(1 + own successes, 1 + own failures), over nodes with at least one evaluation, so a
    /// lucky agent with three evaluations does not beat a good one with thirty.
    /// </summary>
    public static HgmNode BestAgent(HgmTree tree)
    {
        ArgumentNullException.ThrowIfNull(tree);
        var best = tree.Root;
        var bestValue = double.NegativeInfinity;
        foreach (var node in tree.Nodes)
        {
            if (node.OwnEvaluations == 0)
            {
                continue;
            }

            var value = BetaSampler.LowerBound(node.OwnSuccesses, node.OwnFailures, deviations: 2);
            if (value > bestValue)
            {
                (best, bestValue) = (node, value);
            }
        }

        return best;
    }

    /// <summary>HGM's rule: expand when evaluations^alpha &gt;= nodes.</summary>
    public static bool ShouldExpand(int evaluations, int nodes, double alpha) => Math.Pow(evaluations, alpha) >= nodes;

    private const int Expanded = -1;
    private const int Waiting = -2;

    private int DecideHgm(Random random)
    {
        var evaluations = Completed + InFlight;
        if (ShouldExpand(evaluations, Tree.Nodes.Count, Settings.Alpha))
        {
            // A self-modification responds to the node's own failures: expansion draws among nodes that have some (the
            // root always may, so the tree can grow before anything failed).
            var parent = Thompson(random, n => (n.CladeSuccesses, n.CladeFailures), n => n.OwnFailures > 0 || n.ParentId is null);
            Expand(parent, random, target: 0);
            return Expanded;
        }

        return Thompson(random, n => (n.OwnSuccesses, n.OwnFailures), _ => true).Id;
    }

    private HgmNode Thompson(Random random, Func<HgmNode, (int Successes, int Failures)> evidence, Func<HgmNode, bool> eligible)
    {
        var best = Tree.Root;
        var bestDraw = double.NegativeInfinity;
        foreach (var node in Tree.Nodes)
        {
            if (!eligible(node))
            {
                continue;
            }

            var (s, f) = evidence(node);
            var draw = BetaSampler.Sample(1 + s, 1 + f, random);
            if (draw > bestDraw)
            {
                (best, bestDraw) = (node, draw);
            }
        }

        return best;
    }

    /// <summary>DGM and greedy: finish the evaluations planned for a node, else expand a parent chosen by the rule.</summary>
    private int DecideStaged(Random random, Func<Random, HgmNode?> chooseParent)
    {
        foreach (var node in Tree.Nodes)
        {
            if (node.TargetEvaluations - node.OwnEvaluations - _inFlight.GetValueOrDefault(node.Id) > 0)
            {
                return node.Id;
            }
        }

        var parent = chooseParent(random);
        if (parent is null)
        {
            return Waiting;
        }

        var child = Expand(parent, random, Settings.Method == SearchMethod.Dgm ? Settings.DgmStage1 : Settings.GreedyEvaluations);
        if (Settings.Method == SearchMethod.Dgm)
        {
            child.Stage = 1;
        }

        return Expanded;
    }

    /// <summary>A node whose planned evaluations are all in: its score is settled enough to choose by.</summary>
    private bool Settled(HgmNode node) =>
        node.OwnEvaluations > 0 && node.OwnEvaluations >= node.TargetEvaluations && _inFlight.GetValueOrDefault(node.Id) == 0;

    private HgmNode? DgmParent(Random random)
    {
        var candidates = Tree.Nodes.Where(Settled).ToList();
        if (candidates.Count == 0)
        {
            return null;
        }

        var weights = candidates
            .Select(n => 1 / (1 + Math.Exp(-Settings.DgmLambda * (n.OwnScore - Settings.DgmMidpoint))) / (1 + n.Children.Count))
            .ToList();
        var x = random.NextDouble() * weights.Sum();
        for (var i = 0; i < candidates.Count; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return candidates[i];
            }
        }

        return candidates[^1];
    }

    private HgmNode? GreedyParent(Random random) =>
        Tree.Nodes.Where(Settled).OrderByDescending(n => n.OwnScore).ThenBy(n => n.Id).FirstOrDefault();

    private HgmNode Expand(HgmNode parent, Random random, int target)
    {
        var siblings = parent.Children.Select(c => Tree[c].Variant.Key).ToList();
        var (variant, modification) = _modifier.Modify(new ModificationRequest(parent.Variant, parent.Outcomes, siblings), random);
        var child = Tree.AddChild(parent.Id, variant, modification);
        child.TargetEvaluations = target;
        HgmTelemetry.Expansions.Add(1, new("agentsilo.hgm.method", MethodName), new("agentsilo.hgm.modification", modification.Kind));
        return child;
    }

    private EvaluationTicket Ticket(int nodeId)
    {
        var inFlight = _inFlight.GetValueOrDefault(nodeId);
        _inFlight[nodeId] = inFlight + 1;
        var task = Tree[nodeId].OwnEvaluations + inFlight;
        return new EvaluationTicket(nodeId, task, unchecked((_seed * 1_000_003) ^ ((long)nodeId << 32) ^ task));
    }

    private int DecisionSeed(int decision) => unchecked((int)((_seed * 7_919) ^ (decision * 104_729L) ^ 0x5bd1e995));
}
