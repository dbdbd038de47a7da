namespace AgentSilo.Tasks.Judging;

/// <summary>Ranks samples by the model's own length-normalised log-likelihood. Uses no labels.</summary>
public static class SelfLikelihood
{
    /// <summary>Index of the sample with the highest mean log-prob per token (ties: the first); -1 when empty.</summary>
    public static int Best(IReadOnlyList<double> meanLogProbs) => throw new NotImplementedException();
}
