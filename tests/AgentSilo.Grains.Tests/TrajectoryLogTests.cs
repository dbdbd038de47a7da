using AgentSilo.Datasets;
using AgentSilo.Evolution;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class TrajectoryLogTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Every_round_logs_its_base_data_samples_and_greedy_held_out_answers_once()
    {
        var spec = SpecLoader.Parse(ExperimentGrainTests.TinySpec("logged", rounds: 1));
        var experiment = fixture.Grains.GetGrain<IExperimentGrain>(spec.Name);
        await experiment.StartAsync(SpecLoader.ToJson(spec), resume: false);
        var status = await ExperimentGrainTests.WaitAsync(experiment);
        Assert.True(status.Phase == ExperimentPhase.Completed, $"{status.Phase}: {status.Error}");

        var log = TrajectoryLog.ReadAll(fixture.DataDirectory).Where(r => r.Experiment == spec.Name).ToList();
        // Difficulties 2..5 with up to 40 held-out problems each (short reversals have fewer distinct problems).
        var plan = new Plan(spec);
        var heldOut = plan.EvalDifficulties.Sum(d => plan.Splits.HeldOut(d).Count);
        Assert.Equal(60 + heldOut, log.Count(r => r.Round == 0));
        Assert.Equal(60, log.Count(r => r.Tag == "base"));
        Assert.All(log.Where(r => r.Tag == "base"), r => Assert.True(r.Kept && r.Correct));

        var generated = log.Where(r => r.Tag == "gen").ToList();
        Assert.Equal(status.Rounds[1].SamplesGenerated, generated.Count);
        Assert.Equal(status.Rounds[1].SamplesKept, generated.Count(r => r.Kept));
        Assert.All(generated.Where(r => r.Kept), r => Assert.True(r.Correct)); // star keeps verified answers only
        Assert.All(generated, r => Assert.Equal(1, r.PolicyVersion));
        Assert.All(generated, r => Assert.True(r.CompletionTokens > 0 && r.MeanLogProb < 0));

        var greedy = log.Where(r => r.Tag == "eval-greedy" && r.Round == 1).ToList();
        Assert.Equal(heldOut, greedy.Count);
        Assert.Equal(status.Rounds[1].Eval.Sum(e => e.Greedy * e.Problems), greedy.Count(r => r.Correct), precision: 6);
    }
}
