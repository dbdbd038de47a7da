namespace AgentSilo.Smart.Tests;

public sealed class FormatTests
{
    private static readonly ArithmeticInterpreter Calculator = new(new InterpreterLimits());

    private static SmartProblem Problem(string family, string expression) => new(family, expression, TaskMixTests.Value(expression));

    [Fact]
    public void Canonical_solutions_have_the_exact_formats()
    {
        var sum = Problem(TaskMix.Small, "58+67");
        Assert.Equal("125", StrategyFormats.Write(Strategy.Direct, sum, Calculator));
        Assert.Equal("87515621", StrategyFormats.Write(Strategy.Scratchpad, sum, Calculator)); // 8+7=15: 5 carry 1; 5+6+1=12: 2 carry 1
        Assert.Equal("58+67", StrategyFormats.Write(Strategy.Tool, sum, Calculator));
        Assert.Equal("58+67=125", StrategyFormats.Write(Strategy.Decompose, sum, Calculator));

        var nested = Problem(TaskMix.Nested, "(12+34)-(25+47)");
        Assert.Equal("-26", StrategyFormats.Write(Strategy.Direct, nested, Calculator));
        Assert.Equal("12+34=46;25+47=72;46-72=-26", StrategyFormats.Write(Strategy.Decompose, nested, Calculator));
        Assert.Null(StrategyFormats.Write(Strategy.Scratchpad, nested, Calculator));
        Assert.Null(StrategyFormats.Write(Strategy.Tool, nested, Calculator)); // 15 characters: longer than the entry line

        var carry = Problem(TaskMix.Carry, "129995+870015");
        Assert.Equal("550191119001900127011801", StrategyFormats.Write(Strategy.Scratchpad, carry, Calculator)); // 5+5=10: 0 carry 1; 9+1+1=11: 1 carry 1; ...
        Assert.Equal(1_000_010, StrategyFormats.Read(Strategy.Scratchpad, "550191119001900127011801").Answer);
        Assert.Null(StrategyFormats.Write(Strategy.Tool, carry, Calculator)); // operands past the 4-digit display

        var product = Problem(TaskMix.Product, "123*45");
        Assert.Equal("123*45", StrategyFormats.Write(Strategy.Tool, product, Calculator));
        Assert.Null(StrategyFormats.Write(Strategy.Scratchpad, product, Calculator));
        Assert.Equal("123*45=5535", StrategyFormats.Write(Strategy.Decompose, product, Calculator));
    }

    [Fact]
    public void Scratchpad_columns_carry_into_a_new_digit()
    {
        Assert.Equal("00005501", StrategyFormats.Columns(50, 50)); // 0+0=0 carry 0, 5+5=10: 0 carry 1
        Assert.Equal(100, StrategyFormats.Read(Strategy.Scratchpad, "00005501").Answer);
        Assert.Equal(1_000_000, StrategyFormats.Read(Strategy.Scratchpad, StrategyFormats.Columns(999_999, 1)!).Answer);
        Assert.Equal(0, StrategyFormats.Read(Strategy.Scratchpad, StrategyFormats.Columns(0, 0)!).Answer);
    }

    [Theory]
    [InlineData("small", "58+67")]
    [InlineData("carry", "129995+870015")]
    [InlineData("product", "987*65")]
    [InlineData("nested", "(49-10)+(11-48)")]
    public void Every_canonical_solution_reads_back_to_the_answer(string family, string expression)
    {
        var problem = Problem(family, expression);
        var applicable = 0;
        foreach (var strategy in Strategies.FirstChoices)
        {
            if (StrategyFormats.Write(strategy, problem, Calculator) is not { } solution)
            {
                continue;
            }

            applicable++;
            var read = StrategyFormats.Read(strategy, solution);
            var answer = read.Program is { } program ? Calculator.Run(program).Value : read.Answer;
            Assert.Equal(problem.Answer, answer);
            Assert.Equal(solution, SmartRun.VerifiedCanonical(strategy, problem, Calculator));
        }

        Assert.InRange(applicable, 2, 4);
    }

    [Theory]
    [InlineData(Strategy.Direct, "12a", "direct: not an integer: \"12a\"")]
    [InlineData(Strategy.Direct, "", "direct: not an integer: \"\"")]
    [InlineData(Strategy.Scratchpad, "875", "scratchpad: expected columns of 4 digits (digit, digit, sum, carry), got \"875\"")]
    [InlineData(Strategy.Scratchpad, "87515672", "scratchpad: carry '2' in column 1 is not 0 or 1")]
    [InlineData(Strategy.Tool, "", "tool: empty program")]
    [InlineData(Strategy.Decompose, "12+34=46;46-", "decompose: malformed step \"46-\"")]
    [InlineData(Strategy.Decompose, "1+1=2;1+1=2;1+1=2;1+1=2;1+1=2;1+1=2;1+1=2;1+1=2;1+1=2", "decompose: expected 1 to 8 steps, got \"1+1=2;1+1=2;1+1=2;1+1=2;1+1=2;1+1=2;1+1=2;1+1=2;1+1=2\"")]
    public void Malformed_solutions_read_as_errors(Strategy strategy, string text, string error)
    {
        var read = StrategyFormats.Read(strategy, text);
        Assert.Null(read.Answer);
        Assert.Equal(error, read.Error);
    }

    [Fact]
    public void Decomposition_answers_with_its_last_step_and_tool_hands_over_its_program()
    {
        Assert.Equal(-26, StrategyFormats.Read(Strategy.Decompose, "12+34=46;25+47=72;46-72=-26").Answer);
        Assert.Equal(new SolutionRead(null, "123*45", null), StrategyFormats.Read(Strategy.Tool, "123*45"));
    }

    [Fact]
    public void Costs_count_tokens_tool_calls_and_critiques()
    {
        var costs = new CostModel(Token: 1, ToolCall: 8, Critique: 10, Penalty: 0.01);
        var tool = new Attempt(Strategy.Tool, "123*45", 5535, null, Tokens: 8, ToolCalls: 1);
        Assert.Equal(16, costs.Of(tool));
        Assert.Equal(1 - 0.16, costs.Reward(tool, correct: true), 10);
        var problem = Problem(TaskMix.Product, "123*45");
        var episode = new Episode(problem, [new Attempt(Strategy.Direct, "5000", 5000, null, 6, 0), tool], [new Critique(CritiqueKind.WrongAnswer, "wrong answer")], [0.25, 0.25, 0.25, 0.25]);
        Assert.Equal(6, episode.FirstCost(costs));
        Assert.Equal(6 + 16 + 10, episode.TotalCost(costs));
        Assert.False(episode.FirstCorrect);
        Assert.True(episode.FinalCorrect);
    }
}
