using AgentSilo.Tasks;

namespace AgentSilo.Hgm.Tests;

public class ModifierTests
{
    private static readonly AgentVariant Root = new(1, AnswerSelection.First, 1.0, 1.0, 3);

    private static TaskOutcome Failure(bool truncated = false, int samples = 1, double share = 1, int correct = 0) =>
        new("t", false, "x", truncated, truncated ? 1 : 0, share, correct, samples);

    [Fact]
    public void Truncated_failures_raise_the_token_budget()
    {
        var (child, m) = new RuleBasedModifier().Modify(new ModificationRequest(Root with { Temperature = 0 }, [Failure(truncated: true), Failure(truncated: true)], []), new Random(1));
        Assert.Equal("truncation", m.Kind);
        Assert.Equal(5, child.MaxNewTokens);
        Assert.Equal("max_new_tokens 3 -> 5", m.Change);
        Assert.Contains("2 of 2 failed task(s) hit the 3-token budget", m.Diagnosis, StringComparison.Ordinal);
    }

    [Fact]
    public void A_selector_that_missed_a_right_sample_is_switched()
    {
        var majority = Root with { Samples = 8, Selection = AnswerSelection.Majority, MaxNewTokens = 8 };
        var (child, m) = new RuleBasedModifier().Modify(new ModificationRequest(majority, [Failure(samples: 8, share: 0.6, correct: 3)], []), new Random(1));
        Assert.Equal("selector-missed", m.Kind);
        Assert.Equal(AnswerSelection.Likelihood, child.Selection);
    }

    [Fact]
    public void Split_votes_double_the_samples()
    {
        var majority = Root with { Samples = 4, Selection = AnswerSelection.Majority, MaxNewTokens = 8 };
        var (child, m) = new RuleBasedModifier().Modify(new ModificationRequest(majority, [Failure(samples: 4, share: 0.25)], []), new Random(1));
        Assert.Equal("split-votes", m.Kind);
        Assert.Equal(8, child.Samples);
    }

    [Fact]
    public void A_sibling_edit_is_not_repeated_and_no_failures_means_exploration()
    {
        var modifier = new RuleBasedModifier();
        var failures = new[] { Failure(truncated: true) };
        var (first, _) = modifier.Modify(new ModificationRequest(Root, failures, []), new Random(1));
        var (second, m2) = modifier.Modify(new ModificationRequest(Root, failures, [first.Key]), new Random(1));
        Assert.NotEqual(first.Key, second.Key);
        Assert.NotEqual(Root.Key, second.Key);
        Assert.NotEqual("truncation", m2.Kind);

        var (explored, m3) = modifier.Modify(new ModificationRequest(Root, [], []), new Random(1));
        Assert.Equal("exploration", m3.Kind);
        Assert.NotEqual(Root.Key, explored.Key);
    }

    [Fact]
    public void The_agent_answers_by_its_selection_rule_and_reports_trajectory_facts()
    {
        var suite = TaskSuites.Get("addition");
        var problem = suite.Generate(1, new Random(1));
        var right = problem.Answer;
        var samples = new List<SampledText> { new("9999", false, -0.1), new(right, true, -2), new(right, true, -1.5) };

        var first = AgentAnswer.Decide(Root with { Samples = 3 }, suite, problem, samples);
        Assert.False(first.Solved);
        Assert.True(first.Truncated);
        Assert.Equal(2, first.CorrectSamples);
        Assert.Equal(1, first.TruncatedSamples);

        var majority = AgentAnswer.Decide(Root with { Samples = 3, Selection = AnswerSelection.Majority }, suite, problem, samples);
        Assert.True(majority.Solved);
        Assert.Equal(2 / 3.0, majority.VoteShare, 9);

        var likelihood = AgentAnswer.Decide(Root with { Samples = 3, Selection = AnswerSelection.Likelihood }, suite, problem, samples);
        Assert.Equal("9999", likelihood.Answer);
    }
}
