using System.Numerics;
using AgentSilo.Tasks.Judging;

namespace AgentSilo.Tasks.Tests.Judging;

public sealed class PassAtKTests
{
    [Theory]
    [InlineData(10, 3, 1, 0.3)]
    [InlineData(5, 5, 1, 1.0)]
    [InlineData(5, 0, 3, 0.0)]
    [InlineData(4, 2, 2, 5.0 / 6)]
    [InlineData(10, 1, 10, 1.0)]
    [InlineData(10, 2, 9, 1.0)]
    [InlineData(10, 3, 2, 1 - (21.0 / 45))]
    [InlineData(1, 1, 1, 1.0)]
    [InlineData(1, 0, 1, 0.0)]
    public void Estimate_is_one_minus_the_chance_that_k_draws_are_all_wrong(int n, int c, int k, double expected) =>
        Assert.Equal(expected, PassAtK.Estimate(n, c, k), 12);

    [Fact]
    public void Pass_at_1_is_the_fraction_correct()
    {
        for (var c = 0; c <= 20; c++)
        {
            Assert.Equal(c / 20.0, PassAtK.Estimate(20, c, 1), 12);
        }
    }

    [Theory]
    [InlineData(1_000, 10, 100)]
    [InlineData(200, 37, 50)]
    [InlineData(500, 1, 499)]
    public void Estimate_matches_exact_binomials_where_they_are_huge(int n, int c, int k)
    {
        var exact = 1 - Ratio(Binomial(n - c, k), Binomial(n, k));

        Assert.Equal(exact, PassAtK.Estimate(n, c, k), 12);
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(5, -1, 1)]
    [InlineData(5, 6, 1)]
    [InlineData(5, 2, 0)]
    [InlineData(5, 2, 6)]
    public void Invalid_arguments_throw(int n, int c, int k) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PassAtK.Estimate(n, c, k));

    private static BigInteger Binomial(int n, int k)
    {
        var result = BigInteger.One;
        for (var i = 1; i <= k; i++)
        {
            result = result * (n - k + i) / i;
        }

        return result;
    }

    // Exact to double precision: scale the numerator up before the integer division.
    private static double Ratio(BigInteger numerator, BigInteger denominator) =>
        (double)(numerator * BigInteger.Pow(10, 30) / denominator) / 1e30;
}
