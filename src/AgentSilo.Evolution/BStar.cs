namespace AgentSilo.Evolution;

/// <summary>One sampled answer as B-STaR counts it: its text, whether it is right (labels: monitoring only), whether the reward selected it.</summary>
public readonly record struct BalanceSample(string Answer, bool Correct, bool Selected);

/// <summary>
/// B-STaR's two signals over a set of problems (Zeng et al. 2024). Exploration: the mean of min(n'/n*, 1), n' the distinct
/// correct answers among a problem's selected samples; exploitation: the mean share of a problem's selected samples that
/// are right (over problems with a selection); <see cref="BalanceScore"/> the mean of their product per problem.
/// </summary>
public sealed record BalanceStats(double Exploration, double Exploitation, double BalanceScore, double PassAtK, int Problems);

/// <summary>A configuration B-STaR can choose: the sampling temperature and the reward threshold (a vote share for majority rewards).</summary>
public readonly record struct BalanceConfig(double Temperature, double Threshold);

/// <summary>
/// Self-balancing exploration and exploitation: every round measures the balance score of the current sampling temperature
/// and reward threshold and of neighbouring ones, and moves to the best; the signals of the chosen configuration are reported.
/// </summary>
public static class BStar
{
    /// <summary>The signals of one configuration over problems' sample groups; <paramref name="nStar"/> the distinct correct answers wanted per problem.</summary>
    public static BalanceStats Measure(IReadOnlyList<IReadOnlyList<BalanceSample>> groups, int nStar)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nStar);
        if (groups.Count == 0)
        {
            return new BalanceStats(0, 0, 0, 0, 0);
        }

        double exploration = 0, exploitation = 0, balance = 0;
        int selectedGroups = 0, solved = 0;
        foreach (var group in groups)
        {
            var selected = group.Where(s => s.Selected).ToList();
            var distinctCorrect = selected.Where(s => s.Correct).Select(s => s.Answer).Distinct(StringComparer.Ordinal).Count();
            var explore = Math.Min((double)distinctCorrect / nStar, 1);
            exploration += explore;
            solved += group.Any(s => s.Correct) ? 1 : 0;
            if (selected.Count > 0)
            {
                var precision = (double)selected.Count(s => s.Correct) / selected.Count;
                exploitation += precision;
                selectedGroups++;
                balance += explore * precision;
            }
        }

        return new BalanceStats(
            exploration / groups.Count, selectedGroups == 0 ? 0 : exploitation / selectedGroups, balance / groups.Count, (double)solved / groups.Count, groups.Count);
    }

    /// <summary>
    /// The configuration with the highest balance score; the current one wins ties (no move without a reason), then the
    /// lower temperature.
    /// </summary>
    public static BalanceConfig Choose(BalanceConfig current, IReadOnlyList<(BalanceConfig Config, BalanceStats Stats)> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var best = current;
        var bestScore = candidates.Where(c => c.Config == current).Select(c => c.Stats.BalanceScore).DefaultIfEmpty(double.NegativeInfinity).Max();
        foreach (var (config, stats) in candidates.OrderBy(c => c.Config.Temperature).ThenBy(c => c.Config.Threshold))
        {
            if (stats.BalanceScore > bestScore + 1e-9)
            {
                (best, bestScore) = (config, stats.BalanceScore);
            }
        }

        return best;
    }

    /// <summary>
    /// Marks the samples a likelihood reward selects at <paramref name="minLikelihood"/>: every complete answer whose per-token
    /// likelihood exp(mean log-prob) reaches the threshold (B-STaR's reward threshold on a score axis: a stricter one keeps
    /// fewer, more often right, answers; 0 keeps them all). The judge trains on the most likely of a problem's selected answers.
    /// </summary>
    public static IReadOnlyList<BalanceSample> LikelihoodSelection(IReadOnlyList<(string Answer, bool Correct, bool Stopped, double MeanLogProb)> group, double minLikelihood)
    {
        ArgumentNullException.ThrowIfNull(group);
        return [.. group.Select(s => new BalanceSample(s.Answer, s.Correct, s.Stopped && Math.Exp(s.MeanLogProb) >= minLikelihood))];
    }

    /// <summary>
    /// Marks the samples a majority-vote reward selects at <paramref name="minVoteShare"/>: a group's most frequent complete
    /// answer, when its share reaches the threshold. (A verifier reward selects exactly the right ones: no threshold.)
    /// </summary>
    public static IReadOnlyList<BalanceSample> MajoritySelection(IReadOnlyList<(string Answer, bool Correct, bool Stopped)> group, double minVoteShare)
    {
        ArgumentNullException.ThrowIfNull(group);
        var top = group.Where(s => s.Stopped).GroupBy(s => s.Answer).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault();
        var chosen = top is not null && (double)top.Count() / group.Count >= minVoteShare ? top.Key : null;
        return [.. group.Select(s => new BalanceSample(s.Answer, s.Correct, s.Stopped && s.Answer == chosen))];
    }
}
