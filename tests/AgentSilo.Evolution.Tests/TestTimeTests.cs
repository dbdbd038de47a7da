using AgentSilo.Learning;

namespace AgentSilo.Evolution.Tests;

public class TestTimeTests
{
    private static readonly Plan Plan = new(SpecLoader.Parse("""
        name: t
        seed: 5
        task:
          suite: reversal
          difficulties: [2, 3]
        model:
          layers: 1
          heads: 2
          width: 16
        base:
          difficulties: [2, 3]
          examples: 20
        eval:
          problems_per_difficulty: 6
        """));

    [Fact]
    public void Only_problems_below_the_vote_share_are_adapted_and_their_similar_problems_are_labelled_by_the_teacher()
    {
        using var model = new Gpt(Plan.ModelConfig(), device: null, seed: 3);
        var test = Plan.EvalDifficulties.SelectMany(Plan.Splits.HeldOut).ToList();
        var seen = new List<string>();
        IReadOnlyList<string> Oracle(IReadOnlyList<Tasks.TaskProblem> problems)
        {
            seen.AddRange(problems.Select(p => p.Prompt));
            return [.. problems.Select(p => p.Answer)];
        }

        var none = TestTimeSelfImprovement.Run(model, Plan, test, new TestTimeOptions(MaxVoteShare: 0, Steps: 2), seed: 1, Oracle);
        Assert.Equal((0, 0, 0), (none.Uncertain, none.Synthesized, none.Labelled));
        Assert.Equal(none.Before, none.After);
        Assert.Empty(seen);

        var all = TestTimeSelfImprovement.Run(model, Plan, test, new TestTimeOptions(Samples: 2, MaxVoteShare: 1.01, SimilarPerProblem: 2, Steps: 2), seed: 1, Oracle);
        Assert.Equal(test.Count, all.Uncertain);
        Assert.Equal(2 * test.Count, all.Synthesized);
        Assert.Equal(all.Synthesized, all.Labelled);
        Assert.Equal(all.Before, all.UncertainBefore);
        Assert.DoesNotContain(seen, test.Select(p => p.Prompt).Contains); // similar problems are never test problems
        Assert.Equal(none.Before, all.Before); // the model itself was not changed
    }
}
