using AgentSilo.Learning;

namespace AgentSilo.Critics.Tests;

public class PrmAndVotingTests
{
    private static readonly GptConfig TinyModel = new(VocabSize: 0, ContextLength: 64, Layers: 1, Heads: 2, Width: 16);

    [Fact]
    public void SoftLabelsBecomeTwoWeightedExamplesAndZeroWeightsNone()
    {
        using var policy = new StepPolicy(TinyModel, seed: 1);
        using var prm = new ProcessRewardModel(policy.Model, policy.Tokenizer);
        var problem = new AdditionProblem(47, 85, 2);
        var sample = new SolutionSample(problem, problem.Solve());
        var examples = prm.Examples([new StepAnnotation(sample, 1, [1f, 0.25f], 1f, 0), new StepAnnotation(sample, null, [1f, 1f, 1f], 0f, 0)]);
        var (yes, no) = (policy.Tokenizer.Encode("Y")[0], policy.Tokenizer.Encode("N")[0]);
        Assert.Equal(3, examples.Count);
        Assert.Equal(policy.Tokenizer.EncodePrompt("47+85:7+5+0=12"), examples[0].Prompt);
        Assert.Equal([yes], examples[0].Completion);
        Assert.Equal(1f, examples[0].Weight);
        Assert.Equal(policy.Tokenizer.EncodePrompt("47+85:7+5+0=12;4+8+1=13"), examples[1].Prompt);
        Assert.Equal([yes], examples[1].Completion);
        Assert.Equal(0.25f, examples[1].Weight);
        Assert.Equal([no], examples[2].Completion);
        Assert.Equal(0.75f, examples[2].Weight);
    }

    [Fact]
    public void StepScoresAreProbabilitiesOnePerStep()
    {
        using var policy = new StepPolicy(TinyModel, seed: 2);
        using var prm = new ProcessRewardModel(policy.Model, policy.Tokenizer);
        var problem = new AdditionProblem(47, 85, 2);
        var scores = prm.ScoreSteps([new SolutionSample(problem, problem.Solve()), new SolutionSample(problem, ["7+5+0=12"])]);
        Assert.Equal(3, scores[0].Length);
        Assert.Single(scores[1]);
        Assert.All(scores.SelectMany(s => s), p => Assert.InRange(p, 0f, 1f));
        Assert.Equal(scores[0][0], scores[1][0], 5);
    }

    [Fact]
    public void ThePrmLearnsToTellARightStepFromAWrongOne()
    {
        // One-digit problems, checker labels: a right first step against the same step with its sum off by one (fitted, then read back).
        using var policy = new StepPolicy(TinyModel with { Width = 32 }, seed: 3);
        using var prm = new ProcessRewardModel(policy.Model, policy.Tokenizer);
        var problems = AdditionProblems.Draw(1, 10, 5);
        var samples = problems.SelectMany(p => new[]
        {
            new SolutionSample(p, p.Solve()),
            new SolutionSample(p, [AdditionProblem.Step(p.A, p.B, 0, (p.A + p.B + 1) % 19), "=0"]),
        }).ToList();
        var annotations = CriticsHarness.CheckerAnnotations(samples).Annotations;
        prm.Train(prm.Examples(annotations), 300, new TrainerOptions(LearningRate: 3e-3, BatchSize: 20), seed: 4);
        var scores = prm.ScoreSteps(samples);
        var right = Enumerable.Range(0, problems.Count).Count(i => scores[2 * i][0] > 0.5);
        var caught = Enumerable.Range(0, problems.Count).Count(i => scores[(2 * i) + 1][0] < 0.5);
        Assert.True(right + caught >= 18, $"{right} right steps scored above 0.5 and {caught} wrong ones below, of {problems.Count} each");
    }

    [Fact]
    public void AggregationAndFirstErrorPrediction()
    {
        float[] steps = [0.9f, 0.4f, 0.8f];
        Assert.Equal(0.4f, ProcessRewardModel.Aggregate(steps, StepAggregation.Min), 6);
        Assert.Equal(0.288, ProcessRewardModel.Aggregate(steps, StepAggregation.Product), 6);
        Assert.Equal(0.8f, ProcessRewardModel.Aggregate(steps, StepAggregation.Last), 6);
        Assert.Equal(1, ProcessRewardModel.PredictedFirstError(steps));
        Assert.Null(ProcessRewardModel.PredictedFirstError([0.9f, 0.6f]));
        Assert.Equal(0, ProcessRewardModel.PredictedFirstError([]));
    }

    [Fact]
    public void VotesCountBreakTiesByFirstSeenAndWeightsCanOverruleTheMajority()
    {
        Assert.Equal(5, Voting.Majority([5, 7, 7, 5, null]));
        Assert.Equal(7, Voting.Majority([null, 7, 5, 7]));
        Assert.Null(Voting.Majority([null, null]));
        // Three weak votes for 5 lose to two confident votes for 7.
        Assert.Equal(7, Voting.Weighted([(5, 0.1), (5, 0.2), (5, 0.1), (7, 0.9), (7, 0.8)]));
        Assert.Equal(7, Voting.BestOfN([(5, 0.1), (7, 0.9), (null, 1.0), (5, 0.85)]));
    }
}
