using AgentSilo.Evolution;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class TrainerGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Trajectories_delivered_twice_are_counted_once()
    {
        var spec = SpecLoader.Parse(ExperimentGrainTests.TinySpec("dedupe", rounds: 1));
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(spec.Name);
        await trainer.InitializeAsync(SpecLoader.ToJson(spec), resumeFrom: null);
        var batch = Enumerable.Range(0, 5).Select(i => new TrainingSample($"dedupe/r1/gen/p{i}/s0", 1, "abc>", "cba")).ToList();

        var first = await trainer.SubmitAsync(batch);
        var again = await trainer.SubmitAsync(batch);
        var overlapping = await trainer.SubmitAsync([.. batch.Take(2), new TrainingSample("dedupe/r1/gen/p9/s0", 1, "ab>", "ba")]);

        Assert.Equal(5, first);
        Assert.Equal(0, again);
        Assert.Equal(1, overlapping);
    }

    [Fact]
    public async Task Training_publishes_a_checkpoint_whose_hash_the_policy_checks_on_load()
    {
        var spec = SpecLoader.Parse(ExperimentGrainTests.TinySpec("publish", rounds: 1));
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(spec.Name);
        await trainer.InitializeAsync(SpecLoader.ToJson(spec), resumeFrom: null);

        var status = await TrainAsync(trainer, round: 0, steps: 20);

        Assert.Equal(TrainerPhase.Done, status.Phase);
        Assert.Equal(20, status.Step);
        var published = status.Published!;
        Assert.Equal(1, published.Version);
        var policy = fixture.Grains.GetGrain<IPolicyGrain>(spec.Name);
        var settings = new SamplingSettings(0, 1, 1, 6);
        var completions = await policy.SampleAsync(new SampleRequest(published, ["ab>", "abc>"], settings, 1));
        Assert.Equal([0, 1], completions.Select(c => c.PromptIndex));

        var forged = published with { Sha256 = new string('0', 64) };
        await Assert.ThrowsAnyAsync<Exception>(() => policy.SampleAsync(new SampleRequest(forged, ["ab>"], settings, 1)));
    }

    [Fact]
    public async Task Rollouts_tag_trajectories_with_deterministic_ids_and_the_policy_version()
    {
        var spec = SpecLoader.Parse(ExperimentGrainTests.TinySpec("rollout", rounds: 1));
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(spec.Name);
        await trainer.InitializeAsync(SpecLoader.ToJson(spec), resumeFrom: null);
        var status = await TrainAsync(trainer, round: 0, steps: 1);

        var plan = new Plan(spec);
        var problems = plan.GenerationProblems(1).Take(3).ToList();
        var request = new RolloutRequest("rollout", 1, status.Published!, problems, new SamplingSettings(1, 1, 2, 8), Seed: 5, Tag: "gen", FirstIndex: 10);
        var rollout = fixture.Grains.GetGrain<IRolloutGrain>("rollout/0");

        var first = await rollout.RunAsync(request);
        var second = await rollout.RunAsync(request);

        Assert.Equal(["rollout/r1/gen/p10/s0", "rollout/r1/gen/p10/s1", "rollout/r1/gen/p11/s0", "rollout/r1/gen/p11/s1", "rollout/r1/gen/p12/s0", "rollout/r1/gen/p12/s1"],
            first.Select(t => t.Id));
        Assert.All(first, t => Assert.Equal(1, t.PolicyVersion));
        Assert.Equal(first.Select(t => t.FinalAction), second.Select(t => t.FinalAction));
        Assert.Equal(problems.SelectMany(p => new[] { p.Id, p.Id }), first.Select(t => t.TaskId));
    }

    /// <summary>Starts a training run and polls it until it ends, as the experiment grain does.</summary>
    private static async Task<TrainingStatus> TrainAsync(ITrainerGrain trainer, int round, int steps)
    {
        await trainer.StartTrainingAsync(round, steps);
        TrainingStatus status;
        do
        {
            await Task.Delay(50);
            status = await trainer.GetStatusAsync();
        }
        while (status.Phase == TrainerPhase.Training);
        return status;
    }
}
