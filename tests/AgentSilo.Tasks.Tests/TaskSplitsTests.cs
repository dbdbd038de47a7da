namespace AgentSilo.Tasks.Tests;

public sealed class TaskSplitsTests
{
    private static readonly ITaskSuite Addition = TaskSuites.Get("addition");

    // Recorded once; must never change (see Held_out_is_pinned_across_processes_and_runtimes).
    private static readonly string[] GoldenHeldOut = ["228+622=", "885+766=", "248+818="];
    private static readonly string[] GoldenTraining = ["95+10=", "3343+1843=", "98+31="];

    private static string[] Prompts(IEnumerable<TaskProblem> problems) => [.. problems.Select(p => p.Prompt)];

    [Fact]
    public void Held_out_is_the_same_for_two_instances_with_the_same_seed()
    {
        var first = new TaskSplits(Addition, seed: 42, heldOutPerDifficulty: 50);
        var second = new TaskSplits(Addition, seed: 42, heldOutPerDifficulty: 50);

        foreach (var difficulty in new[] { 1, 2, 5, 30 })
        {
            Assert.Equal(first.HeldOut(difficulty), second.HeldOut(difficulty));
        }
    }

    [Fact]
    public void Held_out_is_pinned_across_processes_and_runtimes()
    {
        // Golden values: a seed derived from string.GetHashCode, or any change to the seeding or the
        // generator's use of Random, changes these and breaks resumed runs and mixed clusters.
        var splits = new TaskSplits(Addition, seed: 42, heldOutPerDifficulty: 3);

        Assert.Equal(GoldenHeldOut, Prompts(splits.HeldOut(3)));
        Assert.Equal(GoldenTraining, Prompts(splits.Training([2, 4], count: 3, stream: 7)));
    }

    [Fact]
    public void Held_out_differs_with_another_seed()
    {
        var first = new TaskSplits(Addition, seed: 1, heldOutPerDifficulty: 20);
        var second = new TaskSplits(Addition, seed: 2, heldOutPerDifficulty: 20);

        Assert.NotEqual(Prompts(first.HeldOut(3)), Prompts(second.HeldOut(3)));
        Assert.NotEqual(Prompts(first.HeldOut(4)), Prompts(second.HeldOut(4)));
    }

    [Fact]
    public void Held_out_differs_between_suites_and_difficulties_with_the_same_seed()
    {
        var plain = new TaskSplits(Addition, seed: 5, heldOutPerDifficulty: 10);
        var reversed = new TaskSplits(TaskSuites.Get("addition-reversed"), seed: 5, heldOutPerDifficulty: 10);

        // Same generator, so equal keys would give mirror-image problems.
        var mirrored = reversed.HeldOut(4).Select(p => string.Join('+', p.Prompt.TrimEnd('=').Split('+').Select(Reference.Reverse)) + "=");
        Assert.NotEqual(Prompts(plain.HeldOut(4)), mirrored);
        Assert.NotEqual(
            Prompts(plain.HeldOut(4)).Select(p => p[..4]),
            Prompts(plain.HeldOut(5)).Select(p => p[..4]));
    }

    [Theory]
    [InlineData("addition", 1, 50, 25)]
    [InlineData("addition", 1, 10, 10)]
    [InlineData("addition", 2, 3_000, 2_025)]
    [InlineData("multiplication", 1, 50, 20)]
    [InlineData("reversal", 1, 50, 2)]
    [InlineData("sorting", 2, 50, 25)]
    [InlineData("sorting", 10, 200, 200)]
    [InlineData("addition", 3, 0, 0)]
    public void Held_out_size_is_capped_at_a_quarter_of_the_problems(string name, int difficulty, int requested, int expected)
    {
        var splits = new TaskSplits(TaskSuites.Get(name), seed: 9, heldOutPerDifficulty: requested);

        var heldOut = splits.HeldOut(difficulty);

        Assert.Equal(expected, heldOut.Count);
        Assert.Equal(expected, heldOut.Select(p => p.Prompt).Distinct().Count());
        Assert.All(heldOut, p => Assert.Equal(difficulty, p.Difficulty));
        Assert.All(heldOut, p => Assert.True(splits.IsHeldOut(difficulty, p.Prompt)));
    }

    [Fact]
    public void Training_never_yields_a_held_out_problem_and_yields_every_other_one()
    {
        var splits = new TaskSplits(Addition, seed: 11, heldOutPerDifficulty: 1_000);
        var heldOut = Prompts(splits.HeldOut(1)).ToHashSet();

        var seen = new HashSet<string>();
        for (var stream = 0; stream < 10; stream++)
        {
            foreach (var problem in splits.Training([1], count: 500, stream))
            {
                Assert.DoesNotContain(problem.Prompt, heldOut);
                Assert.True(Addition.Verify(problem, problem.Answer));
                seen.Add(problem.Prompt);
            }
        }

        Assert.Equal(25, heldOut.Count);
        Assert.Equal(75, seen.Count);
    }

    [Fact]
    public void Training_is_disjoint_from_held_out_at_every_listed_difficulty()
    {
        var splits = new TaskSplits(TaskSuites.Get("reversal"), seed: 3, heldOutPerDifficulty: 100);

        var training = splits.Training([1, 2, 3], count: 3_000, stream: 0);

        Assert.All(training, p => Assert.False(splits.IsHeldOut(p.Difficulty, p.Prompt), p.Id));
        Assert.All(training, p => Assert.DoesNotContain(p.Prompt, Prompts(splits.HeldOut(p.Difficulty))));
    }

    [Fact]
    public void The_same_stream_gives_the_same_problems_and_another_stream_others()
    {
        var first = new TaskSplits(Addition, seed: 42, heldOutPerDifficulty: 10);
        var second = new TaskSplits(Addition, seed: 42, heldOutPerDifficulty: 10);
        _ = second.HeldOut(4); // computing held-out first must not shift the training stream

        var round3 = first.Training([3, 4], count: 64, stream: 3);

        Assert.Equal(round3, second.Training([3, 4], count: 64, stream: 3));
        Assert.Equal(round3, first.Training([3, 4], count: 64, stream: 3));
        Assert.NotEqual(Prompts(round3), Prompts(first.Training([3, 4], count: 64, stream: 4)));
        Assert.NotEqual(Prompts(round3), Prompts(new TaskSplits(Addition, 43, 10).Training([3, 4], count: 64, stream: 3)));
    }

    [Fact]
    public void Training_draws_only_and_roughly_uniformly_from_the_listed_difficulties()
    {
        var splits = new TaskSplits(TaskSuites.Get("sorting"), seed: 8, heldOutPerDifficulty: 5);

        var training = splits.Training([2, 5, 9], count: 3_000, stream: 1);

        Assert.Equal(3_000, training.Count);
        var byDifficulty = training.GroupBy(p => p.Difficulty).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal([2, 5, 9], byDifficulty.Keys.Order());
        Assert.All(byDifficulty.Values, n => Assert.InRange(n, 900, 1_100));
    }

    [Fact]
    public void Training_of_zero_problems_is_empty() =>
        Assert.Empty(new TaskSplits(Addition, 1, 10).Training([2], count: 0, stream: 0));

    [Fact]
    public void Training_rejects_bad_arguments()
    {
        var splits = new TaskSplits(Addition, seed: 1, heldOutPerDifficulty: 10);

        Assert.Equal("difficulties", Assert.Throws<ArgumentException>(() => splits.Training([], 5, 0)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => splits.Training([0], 5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => splits.Training([2, 31], 5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => splits.Training([2], -1, 0));
        Assert.Throws<ArgumentNullException>(() => splits.Training(null!, 5, 0));
    }

    [Fact]
    public void Held_out_rejects_difficulties_outside_the_suite()
    {
        var splits = new TaskSplits(Addition, seed: 1, heldOutPerDifficulty: 10);

        Assert.Throws<ArgumentOutOfRangeException>(() => splits.HeldOut(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => splits.HeldOut(31));
        Assert.Throws<ArgumentOutOfRangeException>(() => splits.IsHeldOut(31, "1+1="));
    }

    [Fact]
    public void Constructor_rejects_bad_arguments()
    {
        Assert.Throws<ArgumentNullException>(() => new TaskSplits(null!, 1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskSplits(Addition, 1, -1));

        var splits = new TaskSplits(Addition, -7, 12);
        Assert.Same(Addition, splits.Suite);
        Assert.Equal(-7, splits.Seed);
        Assert.Equal(12, splits.HeldOutPerDifficulty);
    }

    [Fact]
    public void Held_out_is_computed_once_even_under_concurrent_callers()
    {
        var splits = new TaskSplits(Addition, seed: 4, heldOutPerDifficulty: 200);
        var lists = new IReadOnlyList<TaskProblem>[16];

        Parallel.For(0, lists.Length, i => lists[i] = splits.HeldOut(6));

        Assert.All(lists, list => Assert.Same(lists[0], list));
        Assert.Equal(new TaskSplits(Addition, 4, 200).HeldOut(6), lists[0]);
    }
}
