using AgentSilo.Tasks.Judging;

namespace AgentSilo.Tasks.Tests.Judging;

public sealed class SelfLikelihoodTests
{
    [Fact]
    public void Empty_gives_minus_one() => Assert.Equal(-1, SelfLikelihood.Best([]));

    [Theory]
    [InlineData(new[] { -1.0, -0.5, -2.0 }, 1)]
    [InlineData(new[] { -3.0 }, 0)]
    [InlineData(new[] { -0.7, -0.2, -0.2, -0.9 }, 1)]
    [InlineData(new[] { -0.5, -0.5 }, 0)]
    [InlineData(new[] { double.NegativeInfinity, -1e9 }, 1)]
    [InlineData(new[] { double.NegativeInfinity, double.NegativeInfinity }, 0)]
    [InlineData(new[] { -4.0, -3.0, -2.0, -1.0 }, 3)]
    public void The_highest_mean_log_prob_wins_and_ties_go_first(double[] meanLogProbs, int expected) =>
        Assert.Equal(expected, SelfLikelihood.Best(meanLogProbs));

    [Theory]
    [InlineData(new[] { double.NaN, -3.0 }, 1)]
    [InlineData(new[] { -3.0, double.NaN, -4.0 }, 0)]
    [InlineData(new[] { double.NaN, double.NaN }, 0)]
    public void NaN_ranks_below_every_number(double[] meanLogProbs, int expected) =>
        Assert.Equal(expected, SelfLikelihood.Best(meanLogProbs));

    [Fact]
    public void Null_throws() => Assert.Throws<ArgumentNullException>(() => SelfLikelihood.Best(null!));
}
