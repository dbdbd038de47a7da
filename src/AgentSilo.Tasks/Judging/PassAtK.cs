namespace AgentSilo.Tasks.Judging;

/// <summary>Evaluation metrics over sampled answers (these use labels; they only measure).</summary>
public static class PassAtK
{
    /// <summary>Unbiased pass@k estimate from n samples of which c are correct (Chen et al. 2021).</summary>
    public static double Estimate(int n, int c, int k) => throw new NotImplementedException();
}
