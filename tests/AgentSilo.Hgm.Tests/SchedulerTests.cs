
namespace AgentSilo.Hgm.Tests;

public class SchedulerTests
{
    private static readonly AgentVariant Root = new(1, AnswerSelection.First, 1.0, 1.0, 3);

    [Theory]
    [InlineData(0, 1, false)]
    [InlineData(1, 1, true)]
    [InlineData(1, 2, false)]
    [InlineData(3, 2, false)] // 3^0.6 = 1.93
    [InlineData(4, 2, true)] // 4^0.6 = 2.30
    [InlineData(100, 15, true)] // 100^0.6 = 15.85
    [InlineData(100, 16, false)]
    public void Expansion_rule_is_evaluations_to_the_alpha_at_least_nodes(int evaluations, int nodes, bool expand) =>
        Assert.Equal(expand, SearchEngine.ShouldExpand(evaluations, nodes, 0.6));

    [Fact]
    public async Task Hgm_grows_as_many_nodes_as_the_rule_allows()
    {
        var engine = new SearchEngine(new SearchSettings(SearchMethod.Hgm, Budget: 100, Workers: 1), new RuleBasedModifier(), 3, new HgmTree(Root));
        await SearchRunner.RunAsync(engine, new FakeEvaluator());

        // The last decision saw 99 evaluations handed out: nodes = floor(99^0.6) + 1.
        Assert.Equal((int)Math.Floor(Math.Pow(99, 0.6)) + 1, engine.Tree.Nodes.Count);
        Assert.Equal(100, engine.Tree.Evaluations);
        Assert.Equal(100, engine.BestTrace.Count);
    }

    [Fact]
    public void Thompson_sampling_favours_the_node_with_more_successes()
    {
        var random = new Random(11);
        var wins = 0;
        const int draws = 4000;
        for (var i = 0; i < draws; i++)
        {
            if (BetaSampler.Sample(1 + 6, 1 + 2, random) > BetaSampler.Sample(1 + 2, 1 + 6, random))
            {
                wins++;
            }
        }

        // P(Beta(7, 3) > Beta(3, 7)) = 0.97166 (exact, by the integer-parameter sum); 4000 draws: sd 0.0026.
        Assert.InRange(wins / (double)draws, 0.97166 - 0.015, 0.97166 + 0.015);
    }

    [Fact]
    public async Task In_the_long_run_hgm_expands_the_productive_clade_most()
    {
        // Two children of the root: one whose budget fits every task (its clade keeps succeeding), one that truncates all.
        var tree = new HgmTree(Root);
        var good = tree.AddChild(0, Root with { MaxNewTokens = 8, Temperature = 0 }, new Modification("seed", "", "good"));
        var bad = tree.AddChild(0, Root with { MaxNewTokens = 1 }, new Modification("seed", "", "bad"));
        var engine = new SearchEngine(new SearchSettings(SearchMethod.Hgm, Budget: 300, Workers: 2), new RuleBasedModifier(), 5, tree);
        await SearchRunner.RunAsync(engine, new FakeEvaluator());

        var goodClade = engine.Tree.Clade(good.Id).ToList();
        var badClade = engine.Tree.Clade(bad.Id).ToList();
        Assert.True(goodClade.Count > 2 * badClade.Count, $"good clade {goodClade.Count} nodes, bad clade {badClade.Count}");
        Assert.True(good.CladeEvaluations > 3 * bad.CladeEvaluations, $"good clade {good.CladeEvaluations} evaluations, bad {bad.CladeEvaluations}");
    }

    [Theory]
    [InlineData(SearchMethod.Hgm)]
    [InlineData(SearchMethod.Dgm)]
    [InlineData(SearchMethod.Greedy)]
    public async Task A_tiny_search_finds_an_agent_better_than_its_root(SearchMethod method)
    {
        var engine = new SearchEngine(new SearchSettings(method, Budget: 150, Workers: 4), new RuleBasedModifier(), 1, new HgmTree(Root));
        var evaluator = new FakeEvaluator();
        await SearchRunner.RunAsync(engine, evaluator);

        var best = SearchEngine.BestAgent(engine.Tree);
        Assert.Equal(150, evaluator.Calls);
        Assert.True(FakeEvaluator.TrueScore(best.Variant) > FakeEvaluator.TrueScore(Root) + 0.2,
            $"{method}: best {best.Variant} scores {FakeEvaluator.TrueScore(best.Variant):F2}, root {FakeEvaluator.TrueScore(Root):F2}");
    }

    [Fact]
    public async Task Dgm_stages_evaluation_and_greedy_gives_every_node_the_same_count()
    {
        var dgm = new SearchEngine(new SearchSettings(SearchMethod.Dgm, Budget: 120, Workers: 1, DgmStage1: 5, DgmStage2: 10), new RuleBasedModifier(), 2, new HgmTree(Root));
        await SearchRunner.RunAsync(dgm, new FakeEvaluator());
        foreach (var node in dgm.Tree.Nodes.Skip(1).Where(n => n.OwnEvaluations == n.TargetEvaluations))
        {
            Assert.Equal(node.OwnScore >= 0.4 ? 15 : 5, node.OwnEvaluations);
        }

        var greedy = new SearchEngine(new SearchSettings(SearchMethod.Greedy, Budget: 100, Workers: 1, GreedyEvaluations: 10), new RuleBasedModifier(), 2, new HgmTree(Root));
        await SearchRunner.RunAsync(greedy, new FakeEvaluator());
        Assert.Equal(10, greedy.Tree.Nodes.Count);
        Assert.All(greedy.Tree.Nodes, n => Assert.Equal(10, n.OwnEvaluations));
    }

    [Fact]
    public async Task A_restored_search_continues_the_same_tree_and_random_stream()
    {
        var settings = new SearchSettings(SearchMethod.Hgm, Budget: 120, Workers: 1);
        var whole = new SearchEngine(settings, new RuleBasedModifier(), 9, new HgmTree(Root));
        await SearchRunner.RunAsync(whole, new FakeEvaluator());

        var first = new SearchEngine(settings with { Budget = 50 }, new RuleBasedModifier(), 9, new HgmTree(Root));
        await SearchRunner.RunAsync(first, new FakeEvaluator());
        var json = TreeJson.Serialize(TreeJson.Snapshot(first));
        var restored = TreeJson.Restore(TreeJson.Deserialize(json) with { Settings = settings }, new RuleBasedModifier());
        Assert.Equal(50, restored.Tree.Evaluations);
        Assert.Equal(first.Tree.Nodes.Count, restored.Tree.Nodes.Count);
        await SearchRunner.RunAsync(restored, new FakeEvaluator());

        Assert.Equal(TreeJson.Serialize(TreeJson.Snapshot(whole)), TreeJson.Serialize(TreeJson.Snapshot(restored)));
    }
}
