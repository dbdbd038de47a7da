using AgentSilo.Learning;

namespace AgentSilo.Critics.Tests;

public class SurprisePrmTests
{
    private static readonly GptConfig TinyModel = new(VocabSize: 0, ContextLength: 64, Layers: 1, Heads: 2, Width: 16);

    [Fact]
    public void EachStepsFeaturesAreTheLowestAndMeanLogProbabilityOfItsTokensAndTheTokenEndingIt()
    {
        using var policy = new StepPolicy(TinyModel, seed: 1);
        var problem = new AdditionProblem(47, 85, 2);
        var steps = problem.Solve(); // 7+5+0=12;4+8+1=13;=132, then the stop token.
        var features = SurprisePrm.Features(policy, [new SolutionSample(problem, steps), new SolutionSample(problem, [])]);
        var logProbs = SequenceScorer.LogProbs(policy.Model, [(policy.AttemptPrompt(problem), policy.CompletionTokens(steps))])[0];
        Assert.Equal(23, logProbs.Length);
        Assert.Equal(3, features[0].Length);
        Assert.Empty(features[1]);
        foreach (var (step, start, length) in new[] { (0, 0, 9), (1, 9, 9), (2, 18, 5) })
        {
            var tokens = logProbs.Skip(start).Take(length).ToArray();
            Assert.Equal(tokens.Min(), features[0][step]![0], 5);
            Assert.Equal(tokens.Average(), features[0][step]![1], 5);
        }
    }

    [Fact]
    public void FittedOnCheckerLabelsItScoresThePolicysUsualStepsRightAndSurprisingOnesWrong()
    {
        // A policy fitted to ten one-digit problems' solutions; the same first steps with the sum off by one surprise it.
        using var policy = new StepPolicy(TinyModel with { Width = 32 }, seed: 3);
        var problems = AdditionProblems.Draw(1, 10, 5);
        policy.Train([.. problems.Select(p => policy.Example(p, p.Solve()))], 150, new TrainerOptions(LearningRate: 3e-3, BatchSize: 10), seed: 4);
        var samples = problems.SelectMany(p => new[]
        {
            new SolutionSample(p, p.Solve()),
            new SolutionSample(p, [AdditionProblem.Step(p.A, p.B, 0, (p.A + p.B + 1) % 19), "=0"]),
        }).ToList();
        var prm = new SurprisePrm(policy);
        var report = prm.Train(CriticsHarness.CheckerAnnotations(samples).Annotations);
        Assert.Equal(30, report.Labels); // Ten right solutions of two steps, ten wrong first steps.
        Assert.True(report.LastLoss < report.FirstLoss);
        Assert.True(report.Weights[1] > 0, $"weights {string.Join(", ", report.Weights)}: a lower log-probability should mean a lower score");
        var scores = prm.ScoreSteps(samples);
        var right = Enumerable.Range(0, problems.Count).Count(i => scores[2 * i][0] > 0.5);
        var caught = Enumerable.Range(0, problems.Count).Count(i => scores[(2 * i) + 1][0] < 0.5);
        Assert.True(right + caught >= 18, $"{right} right steps scored above 0.5 and {caught} wrong ones below, of {problems.Count} each");
    }

    [Fact]
    public void WithNoLabelsEveryStepScoresOneHalf()
    {
        using var policy = new StepPolicy(TinyModel, seed: 2);
        var prm = new SurprisePrm(policy);
        var report = prm.Train([]);
        Assert.Equal(0, report.Labels);
        var problem = new AdditionProblem(3, 4, 1);
        Assert.Equal([0.5f, 0.5f], prm.ScoreSteps([new SolutionSample(problem, problem.Solve())])[0]);
    }

    [Fact]
    public void VoteRulesRunFromMajorityToBestOfN()
    {
        float[] strong = [0.9f, 0.8f], weak = [0.6f, 0.5f];
        var tieBreak = new PrmVoteRule(StepAggregation.Min, 1, TieBreak: true);
        Assert.Equal(1.0008, tieBreak.Weight(strong), 6);
        Assert.Equal(0.64, new PrmVoteRule(StepAggregation.Min, 2).Weight(strong), 6);
        Assert.Equal(0.72, new PrmVoteRule(StepAggregation.Product, 1).Weight(strong), 6);
        // Two weak votes for 5 against one strong vote for 7: majority (and its tie-break rule) keep 5, a high power picks 7.
        (int? Answer, float[] Steps)[] votes = [(5, weak), (7, strong), (5, weak)];
        Assert.Equal(5, Voting.Weighted(votes.Select(v => (v.Answer, tieBreak.Weight(v.Steps)))));
        Assert.Equal(5, Voting.Weighted(votes.Select(v => (v.Answer, new PrmVoteRule(StepAggregation.Min, 1).Weight(v.Steps)))));
        Assert.Equal(7, Voting.Weighted(votes.Select(v => (v.Answer, new PrmVoteRule(StepAggregation.Min, 4).Weight(v.Steps)))));
        Assert.Equal("majority, ties by min score", tieBreak.Name);
        Assert.Equal("product score ^ 2", new PrmVoteRule(StepAggregation.Product, 2).Name);
    }
}
