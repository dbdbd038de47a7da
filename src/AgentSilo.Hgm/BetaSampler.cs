namespace AgentSilo.Hgm;

/// <summary>Draws from Beta(a, b) (a, b &gt;= 1) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), Marsaglia-Tsang.</summary>
public static class BetaSampler
{
    public static double Sample(double a, double b, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var x = Gamma(a, random);
        var y = Gamma(b, random);
        return x / (x + y);
    }

    /// <summary>The posterior mean minus <paramref name="deviations"/> standard deviations of Beta(1 + s, 1 + f): a belief that favours well-evaluated agents.</summary>
    public static double LowerBound(int successes, int failures, double deviations = 1)
    {
        double a = successes + 1, b = failures + 1;
        var mean = a / (a + b);
        var variance = a * b / ((a + b) * (a + b) * (a + b + 1));
        return mean - (deviations * Math.Sqrt(variance));
    }

    private static double Gamma(double shape, Random random)
    {
        // Marsaglia and Tsang (2000), for shape >= 1.
        var d = shape - (1.0 / 3);
        var c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(random);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            var u = random.NextDouble();
            if (u < 1 - (0.0331 * x * x * x * x) || Math.Log(u) < (0.5 * x * x) + (d * (1 - v + Math.Log(v))))
            {
                return d * v;
            }
        }
    }

    private static double Normal(Random random)
    {
        var u1 = 1 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
