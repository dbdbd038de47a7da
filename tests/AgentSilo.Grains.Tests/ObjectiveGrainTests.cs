using AgentSilo.Datasets;
using AgentSilo.Evolution;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class ObjectiveGrainTests(ClusterFixture fixture)
{
    private static string Spec(string name, string objective, bool asynchronous, bool bstar = false) => $"""
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
