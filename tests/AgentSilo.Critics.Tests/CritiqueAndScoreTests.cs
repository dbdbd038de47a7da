using AgentSilo.Learning;
using AgentSilo.Learning.Objectives;

namespace AgentSilo.Critics.Tests;

public class CritiqueAndScoreTests
{
    private static readonly AdditionProblem Problem = new(4785, 1396, 4);

    // Step 1 drops the carry of 5+6.
    private static readonly string[] Planted = ["5+6+0=11", "8+9+0=17", "7+3+1=11", "4+1+1=06", "=6171"];

    [Fact]
    public void CritiqueTextRoundTripsAndRendersInTheTasksVocabulary()
    {
        var critique = new StepCritique(1, StepError.DroppedCarry);
        Assert.Equal("N12", CritiqueText.Write(critique));
        Assert.Equal(critique, CritiqueText.Read("N12"));
        Assert.Equal("step 1: DroppedCarry", critique.ToString());
        Assert.Equal(StepCritique.Ok, CritiqueText.Read("Y"));
        Assert.Equal("ok", StepCritique.Ok.ToString());
        Assert.Equal(StepCritique.Unreadable, CritiqueText.Read("N1"));
        Assert.Equal(StepCritique.Unreadable, CritiqueText.Read("N18"));
        Assert.Equal(StepCritique.Unreadable, CritiqueText.Read("N10"));
    }

    [Fact]
    public void CollectedCritiquesCarryTheCheckersExactLabels()
    {
        using var policy = new StepPolicy(new GptConfig(VocabSize: 0, ContextLength: 64, Layers: 1, Heads: 2, Width: 16), seed: 1);
        using var critic = new CritiqueModel(policy.Model, policy.Tokenizer);
        SolutionSample[] samples = [new(Problem, Planted), new(Problem, Problem.Solve()), new(Problem, Problem.Solve()), new(Problem, [.. Problem.Solve().Take(3)])];
        var examples = critic.Examples(samples);
        Assert.Equal(4, examples.Count);
        Assert.Equal(["4785+1396:5+6+0=11;8+9+0=17;7+3+1=11;4+1+1=06;=6171|", "4785+1396:5+6+0=11;8+9+1=18;7+3+1=11;4+1+1=06;=6181|"],
            examples.Take(2).Select(e => policy.Tokenizer.Decode(e.Prompt)));
        Assert.Equal(["N12", "Y", "Y", "N37"], examples.Select(e => policy.Tokenizer.Decode(e.Completion)));
        Assert.All(examples, e => Assert.Equal(CharTokenizer.Eos, e.Completion[^1]));
        // Balanced: the two wrong critiques carry as much weight as the two ok ones.
        Assert.Equal([1f, 1f, 1f, 1f], examples.Select(e => e.Weight));
        Assert.Equal([1f, 2f], critic.Examples(samples.Take(3)).Select(e => e.Weight).Distinct().Order());
    }

    [Fact]
    public void ATinyCriticTrainedOnCollectedCritiquesFlagsThePlantedStep()
    {
        using var policy = new StepPolicy(new GptConfig(VocabSize: 0, ContextLength: 64, Layers: 1, Heads: 2, Width: 32), seed: 2);
        using var critic = new CritiqueModel(policy.Model, policy.Tokenizer);
        SolutionSample[] samples = [new(Problem, Planted), new(Problem, Problem.Solve())];
        critic.Train(critic.Examples(samples), 250, new TrainerOptions(LearningRate: 3e-3, BatchSize: 2), seed: 3);
        var critiques = critic.Critique(samples);
        Assert.Equal([new StepCritique(1, StepError.DroppedCarry), StepCritique.Ok], critiques);
        Assert.Equal(1.0, CritiqueAccuracy.Of(samples, critiques).Exact);
    }

    [Fact]
    public void CritiqueAccuracyCountsExactStepOnlyAndOkRecall()
    {
        SolutionSample[] samples = [new(Problem, Planted), new(Problem, Problem.Solve()), new(Problem, [.. Problem.Solve().Take(3)])];
        StepCritique[] said = [new(1, StepError.WrongSum), StepCritique.Ok, new(3, StepError.MissingStep)];
        var accuracy = CritiqueAccuracy.Of(samples, said);
        Assert.Equal((3, 2 / 3.0, 1.0, 0.5, 1.0), (accuracy.Samples, accuracy.Exact, accuracy.StepOnly, accuracy.ExactOnWrong, accuracy.OkRecall));
    }

    [Fact]
    public void RefinementRestartsAtTheFlaggedStepAndPassesOverARepeatOfIt()
    {
        var sample = new SolutionSample(Problem, Planted);
        Assert.Equal(["5+6+0=11"], CritiqueRefinement.RestartPrefix(sample, new StepCritique(1, StepError.DroppedCarry)));
        Assert.Equal(Planted, CritiqueRefinement.RestartPrefix(sample, StepCritique.Ok));
        Assert.Empty(CritiqueRefinement.RestartPrefix(sample, StepCritique.Unreadable));

        // The first candidate repeats the flagged step, the second writes the solver's steps from there.
        var continuer = new ScriptedContinuer(prefix => [.. prefix, "8+9+0=17", "7+3+1=11", "4+1+1=06", "=6171"], prefix => [.. prefix, .. Problem.Solve().Skip(prefix.Count)]);
        var result = CritiqueRefinement.Refine(continuer, CheckerCritic.Instance, [sample, new SolutionSample(Problem, Problem.Solve())], new RefinementOptions(Rounds: 2, Candidates: 2), seed: 1);
        Assert.Equal([["5+6+0=11"], ["5+6+0=11"]], continuer.Prefixes.Select(p => p.ToArray()));
        Assert.Equal(Problem.Solve(), result.Final[0].Steps);
        Assert.Equal(Problem.Solve(), result.Final[1].Steps);
        Assert.Equal((2, 4, 1), (result.PolicySamples, result.CriticCalls, result.Revised));
        Assert.All(result.Critiques, c => Assert.True(c.IsOk));
    }

    [Fact]
    public void RefinementCutsStepsPastTheAnswerWithoutSampling()
    {
        var continuer = new ScriptedContinuer(_ => throw new InvalidOperationException("no continuation expected"));
        var result = CritiqueRefinement.Refine(continuer, CheckerCritic.Instance, [new SolutionSample(Problem, [.. Problem.Solve(), "=6181"])], new RefinementOptions(), seed: 1);
        Assert.Equal(Problem.Solve(), result.Final[0].Steps);
        Assert.Equal(0, result.PolicySamples);
    }

    [Fact]
    public void ScoresShapedRewardGivesTheBonusForWrongToRightAndThePenaltyForRightToWrong()
    {
        Assert.Equal(3.0, SelfCorrection.ShapedReward(firstRight: false, secondRight: true, alpha: 2));
        Assert.Equal(-2.0, SelfCorrection.ShapedReward(firstRight: true, secondRight: false, alpha: 2));
        Assert.Equal(1.0, SelfCorrection.ShapedReward(firstRight: true, secondRight: true, alpha: 2));
        Assert.Equal(0.0, SelfCorrection.ShapedReward(firstRight: false, secondRight: false, alpha: 2));
        Assert.Equal(1.5, SelfCorrection.ShapedReward(firstRight: false, secondRight: true, alpha: 0.5));
        // A hand-made group of two attempt pairs of one problem: wrong->right and right->wrong; REINFORCE's baseline is their mean, 0.5.
        Assert.Equal([2.5f, -2.5f], Advantages.Baseline([SelfCorrection.ShapedReward(false, true, 2), SelfCorrection.ShapedReward(true, false, 2)], [0, 0]));
    }

    [Fact]
    public void CorrectionTracesPairEachFirstAttemptWithARightSampleOfItsProblem()
    {
        using var policy = new StepPolicy(new GptConfig(VocabSize: 0, ContextLength: 128, Layers: 1, Heads: 2, Width: 16), seed: 1);
        var other = new AdditionProblem(12, 34, 2);
        SolutionSample[] samples = [new(Problem, Planted), new(Problem, Problem.Solve()), new(other, ["2+4+0=06", "1+3+0=04", "=47"])];
        var traces = SelfCorrection.CorrectionTraces(policy, samples);
        Assert.Equal(2, traces.Count); // The other problem has no right sample: no trace.
        Assert.Equal("4785+1396:5+6+0=11;8+9+0=17;7+3+1=11;4+1+1=06;=6171", policy.Tokenizer.Decode(traces[0].Prompt));
        Assert.Equal(CharTokenizer.Eos, traces[0].Prompt[^1]);
        Assert.Equal(string.Join(';', Problem.Solve()), policy.Tokenizer.Decode(traces[0].Completion));
        Assert.Equal(string.Join(';', Problem.Solve()), policy.Tokenizer.Decode(traces[1].Completion));
    }

    [Fact]
    public void AWiderContextKeepsThePolicysPredictions()
    {
        using var policy = new StepPolicy(new GptConfig(VocabSize: 0, ContextLength: 64, Layers: 1, Heads: 2, Width: 16), seed: 4);
        using var wide = policy.WithContext(128);
        Assert.Equal(128, wide.Model.Config.ContextLength);
        var pair = (policy.AttemptPrompt(Problem), policy.CompletionTokens(Problem.Solve()));
        var narrow = SequenceScorer.LogProbs(policy.Model, [pair])[0];
        var widened = SequenceScorer.LogProbs(wide.Model, [pair])[0];
        Assert.Equal(narrow.Length, widened.Length);
        for (var i = 0; i < narrow.Length; i++)
        {
            Assert.Equal(narrow[i], widened[i], 5);
        }
    }

    private sealed class ScriptedContinuer(params Func<IReadOnlyList<string>, IReadOnlyList<string>>[] script) : IStepContinuer
    {
        private int _next;

        public List<IReadOnlyList<string>> Prefixes { get; } = [];

        public IReadOnlyList<SolutionSample> Continue(IReadOnlyList<(AdditionProblem Problem, IReadOnlyList<string> Prefix)> prefixes, float temperature, long seed) =>
            [.. prefixes.Select(p =>
            {
                Prefixes.Add(p.Prefix);
                return new SolutionSample(p.Problem, script[_next++ % script.Length](p.Prefix));
            })];
    }
}
