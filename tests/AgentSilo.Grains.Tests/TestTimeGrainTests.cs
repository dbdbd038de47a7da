using AgentSilo.Evolution;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class TestTimeGrainTests(ClusterFixture fixture)
{
    private const string Spec = """
        name: ttsi-base
        seed: 13
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
          steps: 120
          learning_rate: 0.003
        eval:
          problems_per_difficulty: 10
        """;

    /// <summary>Trains round 0 (the labelled base data) for <paramref name="steps"/> on a trainer grain of its own and returns the published version.</summary>
    private async Task<PolicyVersion> BaseAsync(string key, int steps)
    {
        var spec = SpecLoader.Parse(Spec);
        spec.Name = key;
        var trainer = fixture.Grains.GetGrain<ITrainerGrain>(key);
        await trainer.InitializeAsync(SpecLoader.ToJson(spec), resumeFrom: null);
        await trainer.StartTrainingAsync(0, steps);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            var status = await trainer.GetStatusAsync();
            Assert.NotEqual(TrainerPhase.Failed, status.Phase);
            if (status.Phase != TrainerPhase.Training && status.Published is { Version: 1 } published)
            {
                return published;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{key} did not publish version 1");
    }

    private static async Task<TestTimeStatus> WaitAsync(ITestTimeGrain grain)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        TestTimeStatus status;
        do
        {
            await Task.Delay(100);
            status = await grain.GetStatusAsync();
        }
        while (status.Phase == TestTimePhase.Running && DateTime.UtcNow < deadline);
        Assert.True(status.Phase == TestTimePhase.Completed, $"{status.Phase} at {status.Step}: {status.Error}");
        return status;
    }

    [Fact]
    public async Task Test_time_runs_fine_tune_a_copy_through_a_trainer_grain_and_change_only_the_uncertain_answers()
    {
        var student = await BaseAsync("ttsi-student", 120);
        var teacher = await BaseAsync("ttsi-teacher", 300);
        var plan = new Plan(SpecLoader.Parse(Spec));
        var test = plan.EvalDifficulties.SelectMany(plan.Splits.HeldOut).ToList();
        var settings = new TestTimeSettings(Samples: 4, MaxVoteShare: 0.75, SimilarPerProblem: 2, Steps: 10, LearningRate: 1e-3);

        // TT-D: the teacher policy's greedy answers label every synthesized problem.
        var distill = fixture.Grains.GetGrain<ITestTimeGrain>("ttsi-distill");
        await distill.StartAsync(new TestTimeRequest(SpecLoader.ToJson(plan.Spec), student, test, settings, Seed: 3, Teacher: teacher));
        var d = await WaitAsync(distill);
        Assert.InRange(d.Uncertain, 1, test.Count);
        Assert.Equal(2 * d.Uncertain, d.Synthesized);
        Assert.InRange(d.Labelled, 1, d.Synthesized);

        // The copy: published by the run's own trainer grain as the version after the student's; the student is unchanged.
        Assert.Equal(("ttsi-distill", 2), (d.Adapted!.Policy, d.Adapted.Version));
        Assert.NotEqual(student.Sha256, d.Adapted.Sha256);
        Assert.True(File.Exists(student.CheckpointPath));

        // Only the uncertain problems were answered again: the certain ones score the same before and after.
        double Certain(double all, double uncertain) => (all * test.Count) - (uncertain * d.Uncertain);
        Assert.Equal(Certain(d.Before, d.UncertainBefore), Certain(d.After, d.UncertainAfter), 6);
        Assert.Equal(test.Count, d.Answers!.Count);

        // TT-SI on the same problems: the student's own majority votes label the similar problems (at most all of them),
        // and the uncertain problems are found the same way (same seed).
        var self = fixture.Grains.GetGrain<ITestTimeGrain>("ttsi-self");
        await self.StartAsync(new TestTimeRequest(SpecLoader.ToJson(plan.Spec), student, test, settings, Seed: 3));
        var s = await WaitAsync(self);
        Assert.Equal((d.Uncertain, d.Synthesized, d.Before, d.UncertainBefore), (s.Uncertain, s.Synthesized, s.Before, s.UncertainBefore));
        Assert.InRange(s.Labelled, 0, s.Synthesized);
    }
}
