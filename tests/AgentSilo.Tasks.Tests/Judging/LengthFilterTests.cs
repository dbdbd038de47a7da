using AgentSilo.Tasks.Judging;

namespace AgentSilo.Tasks.Tests.Judging;

public sealed class LengthFilterTests
{
    [Fact]
    public void Answers_shorter_than_the_fraction_of_the_longest_are_dropped() =>
        Assert.Equal([0, 2, 3], LengthFilter.Keep(["12345", "123", "1234", "54321", "1"], 0.8));

    [Fact]
    public void The_threshold_itself_passes() =>
        Assert.Equal([0, 1], LengthFilter.Keep(["1234567890", "12345", "1234"], 0.5));

    [Fact]
    public void Fraction_zero_keeps_everything_and_one_keeps_only_the_longest()
    {
        string[] answers = ["", "12", "1234", "9999", "1"];

        Assert.Equal([0, 1, 2, 3, 4], LengthFilter.Keep(answers, 0));
        Assert.Equal([2, 3], LengthFilter.Keep(answers, 1));
    }

    [Fact]
    public void All_empty_answers_are_all_kept() => Assert.Equal([0, 1, 2], LengthFilter.Keep(["", "", ""], 0.9));

    [Fact]
    public void No_answers_keep_nothing() => Assert.Empty(LengthFilter.Keep([], 0.5));

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Fractions_outside_0_to_1_throw(double fraction) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthFilter.Keep(["1"], fraction));

    [Fact]
    public void Null_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => LengthFilter.Keep(null!, 0.5));
        Assert.Throws<ArgumentNullException>(() => LengthFilter.Keep(["1", null!], 0.5));
    }
}
