using AgentSilo.Evolution;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class ExperimentGrainTests(ClusterFixture fixture)
{
    /// <summary>A tiny verified self-training run: a base model trained on short reversals, self-trained on longer ones.</summary>
    internal static string TinySpec(string name, int rounds = 2) => $"""
        name: {name}
        seed: 11
        rounds: {rounds}
        task:
          suite: reversal
          difficulties: [2, 5]
        model:
          layers: 2
          heads: 4
          width: 64
        base:
          difficulties: [2, 5]
          examples: 60
          steps: 250
          learning_rate: 0.003
        method:
          kind: star
          problems_per_round: 150
          samples_per_problem: 8
        train:
          steps_per_round: 200
          learning_rate: 0.002
        eval:
          problems_per_difficulty: 40
          samples: 4
        """;

    [Fact]
    public async Task A_tiny_experiment_runs_end_to_end_on_two_silos_and_held_out_accuracy_rises()
    {
        var spec = SpecLoader.Parse(TinySpec("e2e"));
        var experiment = fixture.Grains.GetGrain<IExperimentGrain>(spec.Name);

        await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        var status = await WaitAsync(experiment);

        Assert.True(status.Phase == ExperimentPhase.Completed, $"{status.Phase}: {status.Error}");
        Assert.Equal([0, 1, 2], status.Rounds.Select(r => r.Round));
        Assert.Equal([1, 2, 3], status.Rounds.Select(r => r.PolicyVersion));
        var before = status.Rounds[0].Eval.Average(e => e.Greedy);
        var after = status.Rounds[^1].Eval.Average(e => e.Greedy);
        Assert.True(after >= before + 0.10, $"mean held-out greedy accuracy went from {before:P1} to {after:P1}");
        Assert.All(status.Rounds.Skip(1), r =>
        {
            var problems = new Plan(spec).GenerationProblems(r.Round).Count;
            Assert.Equal(problems * 8, r.SamplesGenerated);
            Assert.InRange(r.SamplesKept, 1, problems);
            Assert.Equal(1.0, r.KeptPrecision); // the verifier keeps correct answers only
        });
        Assert.True(File.Exists(Path.Combine(fixture.DataDirectory, "checkpoints", "e2e", "v0003.ckpt")));
    }

    [Fact]
    public async Task A_finished_experiment_is_not_restarted_without_resume_nor_resumed_with_another_spec()
    {
        var spec = SpecLoader.Parse(TinySpec("twice", rounds: 0));
        var experiment = fixture.Grains.GetGrain<IExperimentGrain>(spec.Name);
        await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        Assert.Equal(ExperimentPhase.Completed, (await WaitAsync(experiment)).Phase);

        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => experiment.StartAsync(SpecLoader.ToJson(spec), resume: false));
        Assert.Contains("already has 1 finished round(s)", again.Message);

        spec.Seed = 12;
        var other = await Assert.ThrowsAsync<InvalidOperationException>(() => experiment.StartAsync(SpecLoader.ToJson(spec), resume: true));
        Assert.Contains("was started with another spec", other.Message);
    }

    [Fact]
    public async Task A_spec_whose_name_is_not_the_grain_id_is_refused()
    {
        var spec = SpecLoader.Parse(TinySpec("named"));

        var e = await Assert.ThrowsAsync<ArgumentException>(() => fixture.Grains.GetGrain<IExperimentGrain>("other").StartAsync(SpecLoader.ToJson(spec), false));

        Assert.Contains("does not match experiment id 'other'", e.Message);
    }

    internal static async Task<ExperimentStatus> WaitAsync(IExperimentGrain experiment)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (true)
        {
            var status = await experiment.GetStatusAsync();
            if (status.Phase != ExperimentPhase.Running || DateTime.UtcNow > deadline)
            {
                return status;
            }

            await Task.Delay(100);
        }
    }
}
