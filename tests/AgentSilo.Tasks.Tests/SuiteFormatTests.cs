using System.Text.RegularExpressions;

namespace AgentSilo.Tasks.Tests;

/// <summary>Each suite's exact format: prompts parsed back and answers recomputed by schoolbook arithmetic.</summary>
public sealed partial class SuiteFormatTests
{
    private static readonly int[] Difficulties = [1, 2, 3, 4, 7, 12, 20, 30];

    [GeneratedRegex(@"^([0-9]+)\+([0-9]+)=$")]
    private static partial Regex AdditionPrompt();

    [GeneratedRegex(@"^([0-9]+)\*([2-9])=$")]
    private static partial Regex MultiplicationPrompt();

    [GeneratedRegex("^([a-j]+)>$")]
    private static partial Regex ReversalPrompt();

    [GeneratedRegex("^([0-9]+)>$")]
    private static partial Regex SortingPrompt();

    private static IEnumerable<TaskProblem> Sample(string name, int perDifficulty = 100)
    {
        var suite = TaskSuites.Get(name);
        foreach (var difficulty in Difficulties)
        {
            for (var seed = 0; seed < perDifficulty; seed++)
            {
                yield return suite.Generate(difficulty, new Random(seed));
            }
        }
    }

    // Plain decimal: a leading zero only for the number 0 itself.
    private static void AssertOperand(string plain, int digits)
    {
        Assert.Equal(digits, plain.Length);
        Assert.True(digits == 1 || plain[0] != '0', plain);
    }

    [Fact]
    public void Addition_is_plain_decimal_with_two_n_digit_operands()
    {
        foreach (var problem in Sample("addition"))
        {
            var match = AdditionPrompt().Match(problem.Prompt);
            Assert.True(match.Success, problem.Prompt);
            var (a, b) = (match.Groups[1].Value, match.Groups[2].Value);
            AssertOperand(a, problem.Difficulty);
            AssertOperand(b, problem.Difficulty);

            var expected = Reference.Reverse(Reference.AddLeastSignificantFirst(Reference.Reverse(a), Reference.Reverse(b)));
            Assert.Equal(expected, problem.Answer);
        }
    }

    [Fact]
    public void Addition_reversed_writes_operands_and_sum_least_significant_digit_first()
    {
        foreach (var problem in Sample("addition-reversed"))
        {
            var match = AdditionPrompt().Match(problem.Prompt);
            Assert.True(match.Success, problem.Prompt);
            var (a, b) = (match.Groups[1].Value, match.Groups[2].Value);
            AssertOperand(Reference.Reverse(a), problem.Difficulty);
            AssertOperand(Reference.Reverse(b), problem.Difficulty);

            Assert.Equal(Reference.AddLeastSignificantFirst(a, b), problem.Answer);
        }
    }

    [Fact]
    public void Addition_reversed_is_addition_with_every_number_reversed()
    {
        var plain = TaskSuites.Get("addition");
        var reversed = TaskSuites.Get("addition-reversed");

        for (var seed = 0; seed < 50; seed++)
        {
            var p = plain.Generate(6, new Random(seed));
            var r = reversed.Generate(6, new Random(seed));
            var operands = p.Prompt.TrimEnd('=').Split('+');

            Assert.Equal($"{Reference.Reverse(operands[0])}+{Reference.Reverse(operands[1])}=", r.Prompt);
            Assert.Equal(Reference.Reverse(p.Answer), r.Answer);
        }
    }

    [Fact]
    public void Addition_reversed_keeps_the_zeros_of_a_round_sum()
    {
        var suite = TaskSuites.Get("addition-reversed");
        var random = new Random(3);
        var round = Enumerable.Range(0, 5_000).Select(_ => suite.Generate(2, random)).First(p => p.Answer.StartsWith('0'));
        var operands = round.Prompt.TrimEnd('=').Split('+');
        var sum = int.Parse(Reference.Reverse(operands[0])) + int.Parse(Reference.Reverse(operands[1]));

        Assert.Equal(0, sum % 10);
        Assert.Equal(Reference.Reverse(sum.ToString()), round.Answer);
        Assert.NotEqual('0', round.Answer[^1]);
    }

    [Fact]
    public void One_digit_operands_include_zero_and_nine()
    {
        var suite = TaskSuites.Get("addition");
        var firsts = new HashSet<char>();
        var seconds = new HashSet<char>();

        for (var seed = 0; seed < 1_000; seed++)
        {
            var prompt = suite.Generate(1, new Random(seed)).Prompt;
            firsts.Add(prompt[0]);
            seconds.Add(prompt[2]);
        }

        Assert.Equal("0123456789", string.Concat(firsts.Order()));
        Assert.Equal("0123456789", string.Concat(seconds.Order()));
    }

    [Fact]
    public void Multiplication_is_an_n_digit_number_times_a_digit_from_2_to_9()
    {
        var factors = new HashSet<int>();
        foreach (var problem in Sample("multiplication"))
        {
            var match = MultiplicationPrompt().Match(problem.Prompt);
            Assert.True(match.Success, problem.Prompt);
            var (a, b) = (match.Groups[1].Value, match.Groups[2].Value[0] - '0');
            AssertOperand(a, problem.Difficulty);
            factors.Add(b);

            Assert.Equal(Reference.Reverse(Reference.MultiplyLeastSignificantFirst(Reference.Reverse(a), b)), problem.Answer);
        }

        Assert.Equal([2, 3, 4, 5, 6, 7, 8, 9], factors.Order());
    }

    [Fact]
    public void Multiplication_reversed_writes_the_number_and_product_least_significant_digit_first()
    {
        foreach (var problem in Sample("multiplication-reversed"))
        {
            var match = MultiplicationPrompt().Match(problem.Prompt);
            Assert.True(match.Success, problem.Prompt);
            var (a, b) = (match.Groups[1].Value, match.Groups[2].Value[0] - '0');
            AssertOperand(Reference.Reverse(a), problem.Difficulty);

            Assert.Equal(Reference.MultiplyLeastSignificantFirst(a, b), problem.Answer);
        }
    }

    [Fact]
    public void Reversal_reverses_n_letters_from_a_to_j()
    {
        foreach (var problem in Sample("reversal"))
        {
            var match = ReversalPrompt().Match(problem.Prompt);
            Assert.True(match.Success, problem.Prompt);
            var word = match.Groups[1].Value;
            Assert.Equal(problem.Difficulty, word.Length);

            Assert.Equal(Reference.Reverse(word), problem.Answer);
        }
    }

    [Fact]
    public void Sorting_sorts_n_digits_ascending()
    {
        foreach (var problem in Sample("sorting"))
        {
            var match = SortingPrompt().Match(problem.Prompt);
            Assert.True(match.Success, problem.Prompt);
            var digits = match.Groups[1].Value;
            Assert.Equal(problem.Difficulty, digits.Length);

            // Counting sort: independent of the suite's Array.Sort.
            var counts = new int[10];
            foreach (var d in digits)
            {
                counts[d - '0']++;
            }

            var expected = string.Concat(Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), counts[d])));
            Assert.Equal(expected, problem.Answer);
        }
    }

    [Theory]
    [InlineData("addition", "addition/3/123+456=", "123+456=", "579")]
    [InlineData("sorting", "sorting/4/5131>", "5131>", "1135")]
    public void Verify_compares_the_trimmed_answer_ordinally(string name, string id, string prompt, string answer)
    {
        var suite = TaskSuites.Get(name);
        var problem = new TaskProblem(id, name, int.Parse(id.Split('/')[1]), prompt, answer);

        Assert.True(suite.Verify(problem, answer));
        Assert.True(suite.Verify(problem, $"\t{answer} "));
        Assert.False(suite.Verify(problem, answer + "0"));
        Assert.False(suite.Verify(problem, "0" + answer));
    }
}
