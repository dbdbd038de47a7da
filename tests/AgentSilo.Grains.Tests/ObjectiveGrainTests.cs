using AgentSilo.Datasets;
using AgentSilo.Evolution;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class ObjectiveGrainTests(ClusterFixture fixture)
{
    private static string Spec(string name, string objective, bool asynchronous, bool bstar = false, int publishEvery = 0) => $"""
        name: {name}
        seed: 11
        rounds: 2
        task:
          suite: reversal
          difficulties: [2, 4]
        model:
          layers: 2
          heads: 4
          width: 64
        base:
          difficulties: [2, 4]
          examples: 60
          steps: 200
          learning_rate: 0.003
        method:
          kind: star
          difficulties: [2, 3]
          problems_per_round: 40
          samples_per_problem: 4
          asynchronous: {(asynchronous ? "true" : "false")}
          bstar: {(bstar ? "true" : "false")}
          bstar_probe_problems: 8
        train:
          objective: {objective}
          steps_per_round: 15
          learning_rate: 0.001
          max_staleness: 1
          publish_every: {publishEvery}
        eval:
          problems_per_difficulty: 20
          samples: 0
          revisions: 1
        """;

    [Fact]
    public async Task Asynchronous_grpo_trains_on_samples_one_version_stale_and_the_bound_drops_older_ones()
    {
        var spec = SpecLoader.Parse(Spec("async-grpo", "grpo", asynchronous: true));
        var experiment = fixture.Grains.GetGrain<IExperimentGrain>(spec.Name);
        await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        var status = await ExperimentGrainTests.WaitAsync(experiment);
        Assert.True(status.Phase == ExperimentPhase.Completed, $"{status.Phase}: {status.Error}");
        Assert.Equal(["sft", "grpo", "grpo"], status.Rounds.Select(r => r.Objective));

        // Round 1 samples the base (v1) synchronously; round 2's samples were drawn from v1 too, while round 1 trained v2.
        var generated = TrajectoryLog.ReadAll(fixture.DataDirectory).Where(r => r.Experiment == spec.Name && r.Tag == "gen").ToList();
        Assert.All(generated, r => Assert.Equal(1, r.PolicyVersion));
        Assert.All(generated, r => Assert.InRange(r.Difficulty, 2, 3)); // the training band only
        Assert.All(status.Rounds.Skip(1), r =>
        {
            Assert.Equal(0, r.SamplesStale); // one version behind, bound 1: kept
            Assert.Equal(r.SamplesGenerated, r.SamplesIngested); // every sample goes to the trainer, with its reward
            Assert.Equal(generated.Count(g => g.Round == r.Round), r.SamplesGenerated);
        });
        Assert.All(status.Rounds, r => Assert.All(r.Eval, e => Assert.Single(e.Revised!)));

        // The trainer is at v3 now: v1 samples are two versions behind, beyond the bound of 1; v2 ones are within it.
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(spec.Name);
        var late = await trainer.IngestAsync(
            [new("async-grpo/r9/gen/p0/s0", 9, "ab>", "ba", 1, CompletionTokens: [4, 3, 2], LogProbs: [-1, -1, -1], Reward: 1, TaskId: "x"),
             new("async-grpo/r9/gen/p0/s1", 9, "ab>", "ab", 2, CompletionTokens: [3, 4, 2], LogProbs: [-1, -1, -1], Reward: 0, TaskId: "x")],
            spec.Train.MaxStaleness);
        Assert.Equal(new IngestResult(Fresh: 1, Duplicates: 0, Stale: 1), late);
    }

    [Fact]
    public async Task Intermediate_versions_are_published_every_k_steps_and_the_next_round_samples_the_latest_within_the_bound()
    {
        // 15 steps a round, a version every 5: three a round (publications: base 1; round 1: 2, 3 and its end 4 = v2).
        var spec = SpecLoader.Parse(Spec("async-publish", "grpo", asynchronous: true, publishEvery: 5));
        var experiment = fixture.Grains.GetGrain<IExperimentGrain>(spec.Name);
        await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        var status = await ExperimentGrainTests.WaitAsync(experiment);
        Assert.True(status.Phase == ExperimentPhase.Completed, $"{status.Phase}: {status.Error}");

        // The trainer wrote round 1's and round 2's intermediate versions (2, 3; 5, 6) next to the round versions, and serves them.
        var directory = Path.Combine(fixture.DataDirectory, "checkpoints", spec.Name);
        Assert.Equal(["p00002.ckpt", "p00003.ckpt", "p00005.ckpt", "p00006.ckpt"],
            Directory.GetFiles(directory, "p*.ckpt").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(spec.Name);
        var bytes = await trainer.ReadPublicationAsync(3, 0, int.MaxValue);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(directory, "p00003.ckpt")), bytes);

        // Round 1 samples the base synchronously. Round 2 was sampled while round 1 trained, batch by batch, each by the latest
        // version once it was at most 1 publication behind v2 (publication 4): publication 3 (round 1's 2nd intermediate) or v2.
        var generated = TrajectoryLog.ReadAll(fixture.DataDirectory).Where(r => r.Experiment == spec.Name && r.Tag == "gen").ToList();
        Assert.All(generated.Where(r => r.Round == 1), r => Assert.Equal((1, 0), (r.PolicyVersion, r.Publication)));
        var second = generated.Where(r => r.Round == 2).ToList();
        Assert.Equal(status.Rounds[2].SamplesGenerated, second.Count);
        Assert.All(second, r => Assert.Contains((r.PolicyVersion, r.Publication), new[] { (1, 3), (2, 0) }));
        Assert.All(status.Rounds.Skip(1), r =>
        {
            Assert.Equal(0, r.SamplesStale);
            Assert.Equal(r.SamplesGenerated, r.SamplesIngested);
        });
        Assert.Equal(0, status.Rounds[1].MeanStaleness);
        Assert.Equal(second.Average(r => r.Publication == 3 ? 1.0 : 0.0), status.Rounds[2].MeanStaleness!.Value, 9);

        // The trainer is at v3 (publication 7): round 2's first intermediate version (5) is 2 behind, beyond the bound; its second (6) within it.
        var late = await trainer.IngestAsync(
            [new("async-publish/r9/gen/p0/s0", 9, "ab>", "ba", 2, CompletionTokens: [4, 3, 2], LogProbs: [-1, -1, -1], Reward: 1, TaskId: "x", Publication: 5),
             new("async-publish/r9/gen/p0/s1", 9, "ab>", "ab", 2, CompletionTokens: [3, 4, 2], LogProbs: [-1, -1, -1], Reward: 0, TaskId: "x", Publication: 6)],
            spec.Train.MaxStaleness);
        Assert.Equal(new IngestResult(Fresh: 1, Duplicates: 0, Stale: 1), late);
    }

    [Fact]
    public async Task Srpo_runs_through_the_loop_and_measures_accuracy_after_a_revision_with_bstar_balancing_the_temperature()
    {
        var spec = SpecLoader.Parse(Spec("srpo-loop", "srpo", asynchronous: false, bstar: true));
        var experiment = fixture.Grains.GetGrain<IExperimentGrain>(spec.Name);
        await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        var status = await ExperimentGrainTests.WaitAsync(experiment);
        Assert.True(status.Phase == ExperimentPhase.Completed, $"{status.Phase}: {status.Error}");
        Assert.Equal(["sft", "srpo", "srpo"], status.Rounds.Select(r => r.Objective));
        Assert.All(status.Rounds.Skip(1), r => Assert.Equal(15, r.TrainSteps)); // pairs were found and trained on
        Assert.All(status.Rounds[^1].Eval, e => Assert.InRange(Assert.Single(e.Revised!), 0, 1));

        // B-STaR: round 1 samples at the spec's temperature, then at the best-balanced of 0.8, 1.0 and 1.2; both signals reported.
        Assert.Equal(1.0, status.Rounds[1].Temperature);
        Assert.Equal(status.Rounds[1].NextTemperature, status.Rounds[2].Temperature);
        Assert.All(status.Rounds.Skip(1), r =>
        {
            Assert.Contains(r.NextTemperature!.Value, new[] { r.Temperature!.Value - 0.2, r.Temperature.Value, r.Temperature.Value + 0.2 });
            Assert.InRange(r.Exploration!.Value, 0, 1);
            Assert.Equal(r.Exploration > 0 ? 1.0 : 0.0, r.Exploitation!.Value, 9); // a verifier selects right answers only
        });
    }
}
