using AgentSilo.Web.Policy;
using AgentSilo.Web.Site;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class WebEvolutionGrainTests(ClusterFixture fixture)
{
    private const string Spec = """
        name: grain-web
        seed: 3
        rounds: 1
        tasks: [click-button]
        parallel: 2
        explore: { steps_per_task: 12 }
        train: { steps: 100 }
        eval: { episodes_per_task: 2 }
        """;

    [Fact]
    public async Task A_web_experiment_runs_in_its_grain_and_the_policy_grain_serves_what_it_published()
    {
        var output = Path.Combine(fixture.DataDirectory, "web-evolution");
        var evolution = fixture.Grains.GetGrain<IWebEvolutionGrain>("grain-web");
        var status = await evolution.StartAsync(new WebEvolutionStart(Spec, output));
        Assert.Equal("running", status.State);
        await Assert.ThrowsAsync<InvalidOperationException>(() => evolution.StartAsync(new WebEvolutionStart(Spec, output)));
        var deadline = DateTime.UtcNow.AddMinutes(8);
        while ((status = await evolution.GetStatusAsync()).State == "running" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.True(status.State == "completed", $"{status.State}: {status.Error}");
        Assert.Equal([0, 1], status.Finished.Select(r => r.Round));
        Assert.Equal(12, status.Finished[1].TotalRealSteps);
        Assert.Equal("click-button", Assert.Single(status.Finished[1].Tasks).Task);
        Assert.Contains("\"status\": \"completed\"", await File.ReadAllTextAsync(Path.Combine(output, "results.json")));
        var published = status.Published!;
        Assert.Equal(("grain-web", 2), (published.Policy, published.Version));
        Assert.True(File.Exists(published.CheckpointPath));

        // A built-in task served by the silo itself, acted on by the published version through the policy grain.
        var environment = fixture.Grains.GetGrain<IWebEnvironmentGrain>("grain-web-episode");
        var start = await environment.ResetAsync(new WebResetRequest("click-button", Seed: 11));
        var maxSteps = BuiltInTasks.Get("click-button").MaxSteps;
        var served = await fixture.Grains.GetGrain<IWebPolicyGrain>("web").ActAsync(new WebActRequest(published, start.Observation, [], maxSteps));
        using var local = WebAgentPolicy.Load(published.CheckpointPath, expectedSha256: published.Sha256);
        var expected = local.Decide(start.Observation, [], maxSteps);
        Assert.Equal(expected.Action.Action.ToString(), served.Action);
        Assert.Equal(expected.Candidates.Count, served.Candidates);
        Assert.Null((await environment.StepAsync(served.Action)).Observation.LastActionError);
        await environment.CloseAsync();

        // A silo without the checkpoint on its disk fetches it from the experiment's grain; the hash is checked on load.
        var elsewhere = published with { CheckpointPath = Path.Combine(fixture.DataDirectory, "not-shared", "web-policy-v2.bin") };
        var fetched = await fixture.Grains.GetGrain<IWebPolicyGrain>("web-fetch").ActAsync(new WebActRequest(elsewhere, start.Observation, [], maxSteps));
        Assert.Equal(served.Action, fetched.Action);
        var forged = elsewhere with { Sha256 = new string('0', 64) };
        await Assert.ThrowsAsync<InvalidDataException>(() => fixture.Grains.GetGrain<IWebPolicyGrain>("web-forged").ActAsync(new WebActRequest(forged, start.Observation, [], maxSteps)));
    }

    [Fact]
    public async Task A_bad_spec_is_refused_with_the_field_named()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            fixture.Grains.GetGrain<IWebEvolutionGrain>("grain-web-bad").StartAsync(new WebEvolutionStart("name: x\ntasks: [no-such-task]", fixture.DataDirectory)));
        Assert.Contains("tasks: unknown built-in task 'no-such-task'", e.Message);
    }
}
