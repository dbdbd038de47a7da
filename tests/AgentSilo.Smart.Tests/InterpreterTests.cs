namespace AgentSilo.Smart.Tests;

public sealed class InterpreterTests
{
    private static readonly ArithmeticInterpreter Calculator = new(new InterpreterLimits(MaxLength: 40, MaxValue: 99_999, MaxDepth: 4));

    [Theory]
    [InlineData("7", 7)]
    [InlineData("12+34", 46)]
    [InlineData("2+3*4", 14)]
    [InlineData("(2+3)*4", 20)]
    [InlineData("10-4-3", 3)]
    [InlineData("-5+2", -3)]
    [InlineData("--5", 5)]
    [InlineData("(12+34)-(25+17)", 4)]
    [InlineData("123*45", 5535)]
    [InlineData("007+1", 8)]
    public void Evaluates_integer_arithmetic_with_precedence_and_parentheses(string program, long expected)
    {
        var result = Calculator.Run(program);
        Assert.True(result.Ok, result.Error);
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [InlineData("", "empty program")]
    [InlineData("1+", "unexpected end of program: a number or '(' was expected")]
    [InlineData("(1+2", "missing ')' at 4")]
    [InlineData("1+2)", "unexpected ')' at 3")]
    [InlineData("2**3", "unexpected '*' at 2: a number or '(' was expected")]
    [InlineData("1/2", "unexpected character '/' at 1: only digits, + - * and parentheses are arithmetic")]
    [InlineData("1 + 2", "unexpected character 'U+0020' at 1: only digits, + - * and parentheses are arithmetic")]
    [InlineData("exit(1)", "unexpected character 'e' at 0: only digits, + - * and parentheses are arithmetic")]
    [InlineData("()", "unexpected ')' at 1: a number or '(' was expected")]
    [InlineData("100000", "number out of range at 0: 100000 (at most 99999)")]
    [InlineData("999*999", "value out of range: 998001 (at most 99999 in absolute value)")]
    [InlineData("((((((1))))))", "nested too deeply: more than 4 levels")]
    public void Refuses_anything_but_well_formed_bounded_arithmetic_with_an_error(string program, string error)
    {
        var result = Calculator.Run(program);
        Assert.False(result.Ok);
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void Refuses_a_program_longer_than_the_entry_line()
    {
        var calculator = new ArithmeticInterpreter(new InterpreterLimits(MaxLength: 12));
        Assert.Equal("program too long: 15 characters, at most 12", calculator.Run("(12+34)-(25+17)").Error);
        Assert.Equal(5535, calculator.Run("123*45").Value);
    }

    [Fact]
    public void Never_throws_on_random_text()
    {
        var random = new Random(7);
        const string alphabet = "0123456789+-*()=;DSTC/ xé\u0000";
        var calculator = new ArithmeticInterpreter(new InterpreterLimits(MaxLength: 64, MaxValue: 1_000_000_000_000_000L, MaxDepth: 32));
        var ok = 0;
        for (var i = 0; i < 5000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            var result = calculator.Run(text);
            Assert.True(result.Ok != (result.Error is not null));
            ok += result.Ok ? 1 : 0;
        }

        Assert.InRange(ok, 1, 4999);
    }

    [Fact]
    public void Huge_values_are_refused_not_wrapped()
    {
        var calculator = new ArithmeticInterpreter(new InterpreterLimits(MaxLength: 256, MaxValue: InterpreterLimits.CeilingValue, MaxDepth: 32));
        Assert.Equal("number out of range at 0: 99999999999999999999 (at most 1000000000000000)", calculator.Run("99999999999999999999").Error);
        Assert.StartsWith("value out of range", calculator.Run("1000000000000000*10").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_outside_the_ceilings_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new ArithmeticInterpreter(new InterpreterLimits(MaxLength: 0)));
        Assert.Equal(["max_length: must be between 1 and 256, got 1000", "max_depth: must be between 1 and 32, got 0"],
            new InterpreterLimits(MaxLength: 1000, MaxDepth: 0).Validate());
    }
}
