namespace AgentSilo.Tasks.Judging;

/// <summary>Ranks samples by the model's own length-normalised log-likelihood. Uses no labels.</summary>
public static class SelfLikelihood
{
    /// <summary>
    /// Index of the sample with the highest mean log-prob per token (ties: the first); -1 when empty.
    /// NaN ranks below every number; when all are NaN the first sample is returned.
    /// </summary>
    public static int Best(IReadOnlyList<double> meanLogProbs)
    {
        ArgumentNullException.ThrowIfNull(meanLogProbs);
        if (meanLogProbs.Count == 0)
        {
            return -1;
        }

        var best = 0;
        for (var i = 1; i < meanLogProbs.Count; i++)
        {
            var candidate = meanLogProbs[i];
            if (!double.IsNaN(candidate) && (double.IsNaN(meanLogProbs[best]) || candidate > meanLogProbs[best]))
            {
                best = i;
            }
        }

        return best;
    }
}
