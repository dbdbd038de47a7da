using AgentSilo.Web.Browser;
using AgentSilo.Web.Evolution;

namespace AgentSilo.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class WebEvolutionTests(SiteFixture fixture)
{
    [Fact]
    public void Spec_errors_name_the_field()
    {
        var e = Assert.Throws<WebEvolutionSpecException>(() => WebEvolutionSpecLoader.Parse("name: x\ntasks: [no-such-task]\nexplore: { steps_per_task: 0 }"));
        Assert.Contains("tasks: unknown built-in task 'no-such-task'", e.Message);
        Assert.Contains("explore.steps_per_task: must be positive", e.Message);
        Assert.Throws<WebEvolutionSpecException>(() => WebEvolutionSpecLoader.Parse("name: x\nbogus: 1"));
    }

    [Fact]
    public void The_example_spec_is_valid() =>
        Assert.Equal("web-evolve", WebEvolutionSpecLoader.LoadFile(Path.Combine(BrowserFixture.ExamplesWeb, "..", "web-evolve.yaml")).Name);

    [Fact]
    public async Task A_short_web_experiment_raises_held_out_success()
    {
        var spec = WebEvolutionSpecLoader.Parse("""
            name: short
            seed: 1
            rounds: 1
            tasks: [click-button, enter-text]
            parallel: 2
            explore: { steps_per_task: 16 }
            train: { steps: 150 }
            eval: { episodes_per_task: 4, validation_per_task: 2 }
            """);
        await using var pool = new WebBrowserPool(new WebBrowserOptions { ActionTimeout = TimeSpan.FromSeconds(10), StepTimeout = TimeSpan.FromSeconds(20) });
        var evolution = new WebEvolution(spec, fixture.Site, pool);
        var rounds = await evolution.RunAsync();
        Assert.Equal(2, rounds.Count);
        Assert.True(rounds[1].KeptEpisodes > 0);
        Assert.Equal(32, rounds[1].TotalRealSteps); // validation episodes are not training steps: they are counted apart
        Assert.Null(rounds[0].ValidationSuccess);
        Assert.NotNull(rounds[1].ValidationSuccess);
        Assert.Equal(1, rounds[1].PolicyFromRound); // the first validated policy is the best so far
        Assert.InRange(rounds[1].ValidationSteps, 4, 4 * 8);
        Assert.True(rounds[1].HeldOutSuccess > rounds[0].HeldOutSuccess, $"held-out success {rounds[0].HeldOutSuccess} -> {rounds[1].HeldOutSuccess}");
    }

    [Fact]
    public async Task Validation_decides_whether_the_world_models_uses_go_on()
    {
        var spec = WebEvolutionSpecLoader.Parse("""
            name: short-wm
            seed: 1
            rounds: 1
            tasks: [click-button, enter-text]
            parallel: 2
            explore: { steps_per_task: 16 }
            train: { steps: 150 }
            eval: { episodes_per_task: 2, validation_per_task: 2 }
            world_model: { imagined: true, rollouts_per_start: 2, lookahead: true, steps: 100 }
            """);
        await using var pool = new WebBrowserPool(new WebBrowserOptions { ActionTimeout = TimeSpan.FromSeconds(10), StepTimeout = TimeSpan.FromSeconds(20) });
        var rounds = await new WebEvolution(spec, fixture.Site, pool).RunAsync();

        Assert.Null(rounds[0].LookAheadUsed);
        Assert.NotNull(rounds[1].LookAheadUsed);
        Assert.Equal(rounds[1].ImaginedSuccesses > 0, rounds[1].ImaginedKept is not null);
        // One validation pass of the trained policy, one with look-ahead, and one more when imagined trajectories were tried
        // (2 tasks x 2 instances, at least one step each, at most 8).
        var passes = rounds[1].ImaginedKept is null ? 2 : 3;
        Assert.InRange(rounds[1].ValidationSteps, passes * 4, passes * 4 * 8);
        Assert.Equal(32, rounds[1].TotalRealSteps);
    }
}
