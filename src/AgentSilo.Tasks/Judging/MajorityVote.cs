namespace AgentSilo.Tasks.Judging;

/// <summary>The outcome of a vote over one problem's sampled answers.</summary>
/// <param name="Answer">The most frequent answer (ties go to the answer seen first).</param>
/// <param name="Votes">How many samples gave it.</param>
/// <param name="Total">How many samples voted.</param>
public sealed record VoteResult(string Answer, int Votes, int Total)
{
    public double Share => Total == 0 ? 0 : (double)Votes / Total;
}

/// <summary>Self-consistency: the answer most samples agree on. Uses no labels.</summary>
public static class MajorityVote
{
    /// <summary>The vote over <paramref name="answers"/>; null when there are none.</summary>
    public static VoteResult? Vote(IReadOnlyList<string> answers) => throw new NotImplementedException();
}
