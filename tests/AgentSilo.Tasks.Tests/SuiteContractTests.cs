namespace AgentSilo.Tasks.Tests;

/// <summary>What every suite promises: determinism, verification, alphabet, lengths, bounds, counts.</summary>
public sealed class SuiteContractTests
{
    private static readonly int[] SampleDifficulties = [1, 2, 3, 5, 8, 13, 21, 30];

    public static TheoryData<string> SuiteNames => [.. TaskSuites.All.Keys];

    private static IEnumerable<TaskProblem> Sample(ITaskSuite suite, int perDifficulty = 60)
    {
        foreach (var difficulty in SampleDifficulties)
        {
            for (var seed = 0; seed < perDifficulty; seed++)
            {
                yield return suite.Generate(difficulty, new Random(seed));
            }
        }
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Difficulty_bounds_are_1_to_30(string name)
    {
        var suite = TaskSuites.Get(name);

        Assert.Equal(1, suite.MinDifficulty);
        Assert.Equal(30, suite.MaxDifficulty);
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Generated_problems_round_trip_through_verify(string name)
    {
        var suite = TaskSuites.Get(name);

        foreach (var problem in Sample(suite))
        {
            Assert.True(suite.Verify(problem, problem.Answer), problem.Id);
            Assert.True(suite.Verify(problem, $"  {problem.Answer}\n"), problem.Id);
        }
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Problems_carry_suite_difficulty_and_prompt_derived_id(string name)
    {
        var suite = TaskSuites.Get(name);

        foreach (var problem in Sample(suite, perDifficulty: 5))
        {
            Assert.Equal(name, problem.Suite);
            Assert.Equal($"{name}/{problem.Difficulty}/{problem.Prompt}", problem.Id);
        }
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Wrong_answers_are_rejected(string name)
    {
        var suite = TaskSuites.Get(name);

        foreach (var problem in Sample(suite, perDifficulty: 20))
        {
            var answer = problem.Answer;
            var last = answer[^1];
            var changed = answer[..^1] + suite.Alphabet.First(c => c != last);

            Assert.False(suite.Verify(problem, ""), problem.Id);
            Assert.False(suite.Verify(problem, changed), problem.Id);
            Assert.False(suite.Verify(problem, answer + answer[0]), problem.Id);
            Assert.False(suite.Verify(problem, answer[1..]), problem.Id);
            Assert.False(suite.Verify(problem, answer + "="), problem.Id);
            if (answer.Length > 1)
            {
                Assert.False(suite.Verify(problem, answer[..1] + " " + answer[1..]), problem.Id);
            }
        }
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Verify_refuses_a_problem_from_another_suite(string name)
    {
        var suite = TaskSuites.Get(name);
        var other = TaskSuites.All.Values.First(s => s.Name != name);
        var problem = other.Generate(2, new Random(1));

        Assert.Throws<ArgumentException>(() => suite.Verify(problem, problem.Answer));
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Same_random_state_gives_the_same_problem(string name)
    {
        var suite = TaskSuites.Get(name);

        foreach (var difficulty in SampleDifficulties)
        {
            Assert.Equal(suite.Generate(difficulty, new Random(7)), suite.Generate(difficulty, new Random(7)));
        }
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Alphabet_is_distinct_and_exactly_the_characters_used(string name)
    {
        var suite = TaskSuites.Get(name);
        var used = new HashSet<char>();

        foreach (var problem in Sample(suite))
        {
            Assert.All(problem.Prompt + problem.Answer, c => Assert.Contains(c, suite.Alphabet));
            used.UnionWith(problem.Prompt);
            used.UnionWith(problem.Answer);
        }

        Assert.Equal(suite.Alphabet.Length, suite.Alphabet.Distinct().Count());
        Assert.Equal(suite.Alphabet.Order(), used.Order());
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Max_lengths_hold_and_are_reached(string name)
    {
        var suite = TaskSuites.Get(name);

        foreach (var difficulty in SampleDifficulties)
        {
            var problems = Enumerable.Range(0, 200).Select(seed => suite.Generate(difficulty, new Random(seed))).ToList();

            Assert.All(problems, p => Assert.InRange(p.Prompt.Length, 1, suite.MaxPromptLength(difficulty)));
            Assert.All(problems, p => Assert.InRange(p.Answer.Length, 1, suite.MaxAnswerLength(difficulty)));
            Assert.Equal(suite.MaxPromptLength(difficulty), problems.Max(p => p.Prompt.Length));
            Assert.Equal(suite.MaxAnswerLength(difficulty), problems.Max(p => p.Answer.Length));
        }
    }

    [Theory]
    [MemberData(nameof(SuiteNames))]
    public void Difficulties_outside_the_range_throw(string name)
    {
        var suite = TaskSuites.Get(name);

        foreach (var difficulty in new[] { suite.MinDifficulty - 1, suite.MaxDifficulty + 1, -5, int.MaxValue })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => suite.Generate(difficulty, new Random(0)));
            Assert.Throws<ArgumentOutOfRangeException>(() => suite.MaxAnswerLength(difficulty));
            Assert.Throws<ArgumentOutOfRangeException>(() => suite.MaxPromptLength(difficulty));
            Assert.Throws<ArgumentOutOfRangeException>(() => suite.ProblemCount(difficulty));
        }

        Assert.NotNull(suite.Generate(suite.MinDifficulty, new Random(0)));
        Assert.NotNull(suite.Generate(suite.MaxDifficulty, new Random(0)));
    }

    [Theory]
    [InlineData("addition", 1)]
    [InlineData("addition-reversed", 1)]
    [InlineData("multiplication", 1)]
    [InlineData("multiplication-reversed", 1)]
    [InlineData("multiplication", 2)]
    [InlineData("reversal", 1)]
    [InlineData("reversal", 2)]
    [InlineData("sorting", 1)]
    [InlineData("sorting", 2)]
    public void Problem_count_matches_the_distinct_prompts_generated(string name, int difficulty)
    {
        var suite = TaskSuites.Get(name);
        var random = new Random(2024);

        var distinct = Enumerable.Range(0, 20_000).Select(_ => suite.Generate(difficulty, random).Prompt).ToHashSet();

        Assert.Equal(suite.ProblemCount(difficulty), distinct.Count);
    }

    [Theory]
    [InlineData("addition", 1, 100)]
    [InlineData("addition", 2, 8_100)]
    [InlineData("addition-reversed", 3, 810_000)]
    [InlineData("multiplication", 1, 80)]
    [InlineData("multiplication-reversed", 3, 7_200)]
    [InlineData("reversal", 1, 10)]
    [InlineData("reversal", 4, 10_000)]
    [InlineData("sorting", 3, 1_000)]
    public void Problem_count_is_exact(string name, int difficulty, double expected) =>
        Assert.Equal(expected, TaskSuites.Get(name).ProblemCount(difficulty));

    [Fact]
    public void Problem_count_of_30_digit_addition_is_81_times_10_to_the_58()
    {
        Assert.Equal(81e58, TaskSuites.Get("addition").ProblemCount(30), 1e-12 * 81e58);
    }
}
