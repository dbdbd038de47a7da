namespace AgentSilo.Tasks.Judging;

/// <summary>Evaluation metrics over sampled answers (these use labels; they only measure).</summary>
public static class PassAtK
{
    /// <summary>Unbiased pass@k estimate from n samples of which c are correct (Chen et al. 2021).</summary>
    /// <remarks>
    /// 1 - C(n-c, k) / C(n, k), computed as 1 - Π_{i=n-c+1..n} (1 - k/i): every factor lies in [0, 1], so nothing
    /// overflows, unlike the binomials themselves. Needs 0 ≤ c ≤ n and 1 ≤ k ≤ n.
    /// </remarks>
    public static double Estimate(int n, int c, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(c);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(c, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, n);

        // Fewer wrong samples than k: every draw of k contains a correct one.
        if (n - c < k)
        {
            return 1;
        }

        var allWrong = 1.0;
        for (var i = n - c + 1; i <= n; i++)
        {
            allWrong *= 1 - ((double)k / i);
        }

        return 1 - allWrong;
    }
}
