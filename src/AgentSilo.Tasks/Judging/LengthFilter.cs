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
    /// <remarks>Lengths are in characters, as given; when every answer is empty all are kept.</remarks>
    public static IReadOnlyList<int> Keep(IReadOnlyList<string> answers, double minFractionOfLongest)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (!(minFractionOfLongest >= 0 && minFractionOfLongest <= 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(minFractionOfLongest), minFractionOfLongest, "The fraction must lie in [0, 1].");
        }

        var longest = 0;
        foreach (var answer in answers)
        {
            ArgumentNullException.ThrowIfNull(answer, nameof(answers));
            longest = Math.Max(longest, answer.Length);
        }

        var threshold = minFractionOfLongest * longest;
        var kept = new List<int>(answers.Count);
        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i].Length >= threshold)
            {
                kept.Add(i);
            }
        }

        return kept;
    }
}
