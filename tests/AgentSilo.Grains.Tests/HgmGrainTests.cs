using AgentSilo.Hgm;
using Orleans.Core.Internal;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class HgmGrainTests(ClusterFixture fixture)
{
    private static HgmSpec Spec(int budget) => HgmSpecLoader.Parse($"""
        name: hgm-grains
        seed: 4
        device: cpu
        task: {"{"} suite: reversal, difficulties: [2, 4] {"}"}
        model: {"{"} layers: 1, heads: 2, width: 32 {"}"}
        base: {"{"} difficulties: [2, 4], examples: 60, steps: 30, learning_rate: 0.003 {"}"}
        hgm:
          methods: [hgm]
          budget: {budget}
          workers: 3
          task_pool: 30
          held_out_per_difficulty: 10
          root: {"{"} samples: 1, selection: first, temperature: 1.0, max_new_tokens: 3 {"}"}
        """);

    [Fact]
    public async Task A_restarted_search_continues_the_same_tree_and_node_grains_pool_each_clade_exactly()
    {
        var spec = Spec(budget: 20);
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(spec.Name);
        await trainer.InitializeAsync(Evolution.SpecLoader.ToJson(HgmSpecLoader.PolicySpec(spec)), resumeFrom: null);
        await trainer.StartTrainingAsync(0, spec.Base.Steps);
        TrainingStatus training;
        do
        {
            await Task.Delay(50);
            training = await trainer.GetStatusAsync();
        }
        while (training.Phase == TrainerPhase.Training);
        Assert.Equal(TrainerPhase.Done, training.Phase);

        var key = HgmKeys.Tree(spec.Name, "hgm", spec.Seed);
        var tree = fixture.Grains.GetGrain<IHgmTreeGrain>(key);
        var request = new HgmSearchRequest(HgmSpecLoader.ToJson(spec), "hgm", spec.Seed, training.Published!);
        await tree.StartAsync(request, resume: false);
        var first = await WaitAsync(tree);
        Assert.True(first.Phase == ExperimentPhase.Completed, $"{first.Phase}: {first.Error}");
        Assert.Equal(20, first.Evaluations);
        var before = TreeJson.Deserialize((await tree.GetTreeJsonAsync())!);

        // A fresh activation reads the persisted tree: without resume it is refused, with it (and a larger budget) it goes on.
        await tree.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(200);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => tree.StartAsync(request, resume: false));
        Assert.Contains("already has a tree", refused.Message, StringComparison.Ordinal);
        var longer = Spec(budget: 40);
        var resumed = await tree.StartAsync(request with { SpecJson = HgmSpecLoader.ToJson(longer) }, resume: true);
        Assert.Equal(20, resumed.Evaluations);
        var second = await WaitAsync(tree);
        Assert.True(second.Phase == ExperimentPhase.Completed, $"{second.Phase}: {second.Error}");
        Assert.Equal(40, second.Evaluations);

        var after = TreeJson.Deserialize((await tree.GetTreeJsonAsync())!);
        Assert.True(after.Nodes.Count >= before.Nodes.Count);
        Assert.Equal(before.Nodes.Select(n => n.Variant.Key), after.Nodes.Take(before.Nodes.Count).Select(n => n.Variant.Key));
        Assert.Equal(before.BestTrace, after.BestTrace.Take(20));
        foreach (var node in before.Nodes)
        {
            Assert.Equal(node.Outcomes, after.Nodes[node.Id].Outcomes.Take(node.Outcomes.Count));
        }

        // Every node grain's counts, reported up the chain of parents, equal the tree's exact clade counts.
        foreach (var node in after.Nodes)
        {
            var counts = await fixture.Grains.GetGrain<IHgmNodeGrain>(HgmKeys.Node(key, node.Id)).GetCountsAsync();
            Assert.Equal(new HgmNodeCounts(node.OwnSuccesses, node.OwnFailures, node.CladeSuccesses, node.CladeFailures), counts);
        }

        Assert.Equal(40, after.Nodes[0].CladeSuccesses + after.Nodes[0].CladeFailures);
    }

    private static async Task<HgmSearchStatus> WaitAsync(IHgmTreeGrain tree)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var status = await tree.GetStatusAsync();
            if (status.Phase != ExperimentPhase.Running || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100);
        }
    }
}
