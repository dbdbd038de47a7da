using Orleans.Core.Internal;

namespace AgentSilo.Grains.Tests;

[Collection(ClusterCollection.Name)]
public class CriticGrainsTests(ClusterFixture fixture)
{
    [Fact]
    public async Task TheTeacherHintsTheStepWhereTheAttemptFirstWentWrong()
    {
        var teacher = fixture.Grains.GetGrain<ITeacherGrain>("solver");
        var hint = await teacher.HintAsync(new ScratchpadSolution(4785, 1396, 4, ["5+6+0=11", "8+9+0=17", "7+3+1=11", "4+1+1=06", "=6171"]));
        Assert.Equal(1, hint.Step);
        Assert.Equal("DroppedCarry", hint.Error);
        Assert.Equal(["5+6+0=11", "8+9+1=18"], hint.GuidedPrefix);
        var none = await teacher.HintAsync(new ScratchpadSolution(12, 34, 2, ["2+4+0=06", "1+3+0=04", "=46"]));
        Assert.Null(none.Step);
    }

    [Fact]
    public async Task APrmIsBuiltInTheBackgroundThenScoresEveryStep()
    {
        var prm = fixture.Grains.GetGrain<IPrmGrain>("critics-test/" + Guid.NewGuid().ToString("N"));
        var solution = new ScratchpadSolution(47, 85, 2, ["7+5+0=12", "4+8+1=13", "=132"]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => prm.ScoreAsync([solution]));
        var started = await prm.StartAsync(new PrmBuildRequest(Seed: 3, Difficulties: [1, 2], Method: "scan", Rollouts: 2, PolicySteps: 30,
            ProblemsPerDifficulty: 5, SamplesPerProblem: 2, PrmSteps: 10, Width: 16));
        Assert.Equal(PrmPhase.Building, started.Phase);
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var status = started;
        while (status.Phase == PrmPhase.Building && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = await prm.GetStatusAsync();
        }

        Assert.True(status.Phase == PrmPhase.Ready, $"{status.Phase}: {status.Error}");
        Assert.True(status.Rollouts >= 0);
        var scores = await prm.ScoreAsync([solution, solution with { Steps = ["7+5+0=12"] }]);
        Assert.Equal(3, scores.Steps[0].Length);
        Assert.Single(scores.Steps[1]);
        Assert.All(scores.Steps.SelectMany(s => s), p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(2, scores.FirstErrors.Count);

        // The request is persisted: a new activation rebuilds the same seeded PRM by itself and scores alike.
        await prm.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await Task.Delay(200);
        status = await prm.GetStatusAsync();
        Assert.NotEqual(PrmPhase.Idle, status.Phase);
        deadline = DateTime.UtcNow.AddSeconds(90);
        while (status.Phase == PrmPhase.Building && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = await prm.GetStatusAsync();
        }

        Assert.True(status.Phase == PrmPhase.Ready, $"{status.Phase}: {status.Error}");
        var again = await prm.ScoreAsync([solution, solution with { Steps = ["7+5+0=12"] }]);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(scores.Steps[i].Length, again.Steps[i].Length);
            Assert.All(scores.Steps[i].Zip(again.Steps[i]), p => Assert.Equal(p.First, p.Second, 3));
        }
    }

    [Fact]
    public async Task ACritiqueModelIsBuiltInTheBackgroundThenCritiquesEverySolution()
    {
        var critic = fixture.Grains.GetGrain<ICritiqueGrain>("critics-test/" + Guid.NewGuid().ToString("N"));
        var right = new ScratchpadSolution(47, 85, 2, ["7+5+0=12", "4+8+1=13", "=132"]);
        var dropped = right with { Steps = ["7+5+0=12", "4+8+0=12", "=122"] };
        await Assert.ThrowsAsync<InvalidOperationException>(() => critic.CritiqueAsync([right]));
        var started = await critic.StartAsync(new CritiqueBuildRequest(Seed: 3, Difficulties: [1, 2], PolicySteps: 30, ProblemsPerDifficulty: 5,
            SamplesPerProblem: 2, CritiqueSteps: 10, Width: 16));
        Assert.Equal(PrmPhase.Building, started.Phase);
        var deadline = DateTime.UtcNow.AddSeconds(240);
        var status = started;
        while (status.Phase == PrmPhase.Building && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            status = await critic.GetStatusAsync();
        }

        Assert.True(status.Phase == PrmPhase.Ready, $"{status.Phase}: {status.Error}");
        Assert.True(status.Examples > 0);
        Assert.InRange(status.HeldOutExact, 0, 1);
        var critiques = await critic.CritiqueAsync([right, dropped]);
        Assert.Equal(2, critiques.Count);
        // An untrained-scale critic may say anything in its vocabulary; what it says is rendered consistently.
        Assert.All(critiques, c => Assert.Equal(c.Step is { } step ? $"step {step}: {c.Error}" : "ok", c.Text));
    }
}
