
namespace AgentSilo.Hgm.Tests;

/// <summary>A tiny real run: a small policy trained in the test, a short HGM search from a root whose budget cuts every answer.</summary>
public class RealSearchTests
{
    [Fact]
    public async Task A_tiny_real_search_beats_its_root_on_held_out_problems()
    {
        TorchSharp.torch.set_num_threads(1);
        var spec = HgmSpecLoader.Parse("""
            name: tiny-hgm
            seed: 3
            device: cpu
            task: { suite: reversal, difficulties: [2, 3] }
            model: { layers: 2, heads: 4, width: 64 }
            base: { difficulties: [2, 3], examples: 400, steps: 150, learning_rate: 0.003 }
            hgm:
              methods: [hgm]
              budget: 40
              workers: 2
              task_pool: 60
              held_out_per_difficulty: 20
              root: { samples: 1, selection: first, temperature: 1.0, max_new_tokens: 1 }
            """);
        using var run = new LocalHgmRun(spec);
        var (root, runs) = await run.RunAllAsync();

        var search = Assert.Single(runs);
        Assert.Equal(40, search.Curve.Count);
        Assert.True(search.Snapshot.Nodes.Count > 1);
        Assert.True(search.Final > root + 0.1, $"best {search.Best.Variant.Key} scores {search.Final:P1}, root {root:P1}");
    }
}
