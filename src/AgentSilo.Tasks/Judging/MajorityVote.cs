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
    /// <summary>The vote over <paramref name="answers"/>, compared ordinally as given (normalise them first); null when there are none.</summary>
    public static VoteResult? Vote(IReadOnlyList<string> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (answers.Count == 0)
        {
            return null;
        }

        var votes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            ArgumentNullException.ThrowIfNull(answer, nameof(answers));
            votes[answer] = votes.GetValueOrDefault(answer) + 1;
        }

        // A second pass in sample order, taking only a strictly larger count, gives a tie to the answer whose
        // first sample came first (not to the one that reached the count first).
        var winner = answers[0];
        var winnerVotes = votes[winner];
        foreach (var answer in answers)
        {
            if (votes[answer] > winnerVotes)
            {
                winner = answer;
                winnerVotes = votes[answer];
            }
        }

        return new VoteResult(winner, winnerVotes, answers.Count);
    }
}
