
namespace AgentSilo.Hgm.Tests;

public class HgmTreeTests
{
    private static readonly AgentVariant Root = new(1, AnswerSelection.First, 1.0, 1.0, 3);

    private static TaskOutcome Outcome(bool solved) => new("t", solved, "", false, 0, 1, solved ? 1 : 0, 1);

    [Fact]
    public void Clade_counts_pool_the_node_and_every_descendant_exactly()
    {
        var random = new Random(7);
        var tree = new HgmTree(Root);
        var modification = new Modification("test", "", "");
        for (var i = 1; i < 40; i++)
        {
            tree.AddChild(random.Next(tree.Nodes.Count), Root with { MaxNewTokens = 3 + i }, modification);
        }

        for (var i = 0; i < 500; i++)
        {
            tree.Record(random.Next(tree.Nodes.Count), Outcome(random.Next(3) == 0));
        }

        Assert.Equal(500, tree.Evaluations);
        Assert.Equal(500, tree.Root.CladeEvaluations);
        foreach (var node in tree.Nodes)
        {
            var clade = tree.Clade(node.Id).ToList();
            Assert.Equal(clade.Sum(n => n.OwnSuccesses), node.CladeSuccesses);
            Assert.Equal(clade.Sum(n => n.OwnFailures), node.CladeFailures);
            Assert.Equal(node.Outcomes.Count(o => o.Solved), node.OwnSuccesses);
        }
    }

    [Fact]
    public void A_chain_counts_a_grandchild_outcome_at_every_ancestor_and_nowhere_else()
    {
        var tree = new HgmTree(Root);
        var m = new Modification("test", "", "");
        var a = tree.AddChild(0, Root with { Samples = 2 }, m);
        var b = tree.AddChild(a.Id, Root with { Samples = 4 }, m);
        var c = tree.AddChild(0, Root with { Samples = 8 }, m);
        tree.Record(b.Id, Outcome(true));
        tree.Record(b.Id, Outcome(false));
        tree.Record(c.Id, Outcome(true));

        Assert.Equal((2, 1), (tree.Root.CladeSuccesses, tree.Root.CladeFailures));
        Assert.Equal((1, 1), (a.CladeSuccesses, a.CladeFailures));
        Assert.Equal((0, 0), (a.OwnSuccesses, a.OwnFailures));
        Assert.Equal((1, 1), (b.OwnSuccesses, b.OwnFailures));
        Assert.Equal((1, 0), (c.CladeSuccesses, c.CladeFailures));
        Assert.Equal([0, 1, 2, 3], tree.Clade(0).Select(n => n.Id).Order());
    }
}
