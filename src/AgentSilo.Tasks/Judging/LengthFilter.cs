namespace AgentSilo.Tasks.Judging;

/// <summary>
/// Drops answers shorter than a fraction of the longest answer in their group: on length generalisation the typical
/// error is a truncated answer (Lee et al. 2025). Uses no labels.
/// </summary>
public static class LengthFilter
{
    /// <summary>The indices of the answers that pass, in order.</summary>
    /// <param name="answers">One problem's sampled answers.</param>
    /// <param name="minFractionOfLongest">Keep answers at least this fraction of the longest one's length (0..1).</param>
    public static IReadOnlyList<int> Keep(IReadOnlyList<string> answers, double minFractionOfLongest) => throw new NotImplementedException();
}
