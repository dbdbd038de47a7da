namespace AgentSilo.Learning.Objectives;

/// <summary>Advantage estimators and label-free rewards for policy-gradient objectives.</summary>
public static class Advantages
{
    /// <summary>
    /// GRPO's group-relative advantages: each reward minus its group's mean, divided by the group's standard deviation
    /// (population) plus <paramref name="epsilon"/>; a group whose rewards are all equal gets 0 (no signal).
    /// </summary>
    public static float[] GroupRelative(IReadOnlyList<double> rewards, IReadOnlyList<int> groups, double epsilon = 1e-4) =>
        Grouped(rewards, groups, (r, mean, std) => std < 1e-12 ? 0 : (r - mean) / (std + epsilon));

    /// <summary>REINFORCE with a baseline: each reward minus its group's mean reward (no scaling).</summary>
    public static float[] Baseline(IReadOnlyList<double> rewards, IReadOnlyList<int> groups) =>
        Grouped(rewards, groups, (r, mean, _) => r - mean);

    /// <summary>
    /// The "RLHF-sharpening" reward: the model's own normalized log-likelihood of its completion (mean log-prob per token),
    /// no labels; 0 for an empty completion.
    /// </summary>
    public static double NormalizedLogLikelihood(IReadOnlyList<float> logProbs)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        return logProbs.Count == 0 ? 0 : logProbs.Sum(x => (double)x) / logProbs.Count;
    }

    private static float[] Grouped(IReadOnlyList<double> rewards, IReadOnlyList<int> groups, Func<double, double, double, double> advantage)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(groups);
        if (rewards.Count != groups.Count)
        {
            throw new ArgumentException($"{rewards.Count} rewards but {groups.Count} group ids.", nameof(groups));
        }

        var stats = Enumerable.Range(0, rewards.Count).GroupBy(i => groups[i]).ToDictionary(
            g => g.Key,
            g =>
            {
                var mean = g.Average(i => rewards[i]);
                var std = Math.Sqrt(g.Average(i => (rewards[i] - mean) * (rewards[i] - mean)));
                return (Mean: mean, Std: std);
            });
        var result = new float[rewards.Count];
        for (var i = 0; i < rewards.Count; i++)
        {
            var (mean, std) = stats[groups[i]];
            result[i] = (float)advantage(rewards[i], mean, std);
        }

        return result;
    }
}
