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
    /// Advantages of samples drawn by an older (behaviour) policy, re-estimated for the proximal policy the round trains from:
    /// each sample's sequence importance weight w = min(exp(<paramref name="logRatios"/>), <paramref name="cap"/>) (the log
    /// ratio summed over its tokens, log p_proximal(y) - log p_behaviour(y)) is divided by its group's mean weight (self-normalised);
    /// the group's baseline is the weighted mean reward (and, <paramref name="standardise"/>d as GRPO does, the weighted
    /// standard deviation), the proximal policy's expected reward rather than the behaviour's; each result is the normalised
    /// weight times that advantage, the sample's whole contribution to the gradient. With every log ratio 0 (on policy) this
    /// is <see cref="GroupRelative"/> (standardised) or <see cref="Baseline"/>.
    /// </summary>
    public static float[] OffPolicy(IReadOnlyList<double> rewards, IReadOnlyList<int> groups, IReadOnlyList<double> logRatios,
        double cap, bool standardise, double epsilon = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(logRatios);
        if (rewards.Count != groups.Count || rewards.Count != logRatios.Count)
        {
            throw new ArgumentException($"{rewards.Count} rewards, {groups.Count} group ids and {logRatios.Count} log ratios.", nameof(logRatios));
        }

        var weights = logRatios.Select(l => Math.Min(Math.Exp(l), cap)).ToArray();
        var result = new float[rewards.Count];
        foreach (var group in Enumerable.Range(0, rewards.Count).GroupBy(i => groups[i]))
        {
            var members = group.ToList();
            if (members.Sum(i => weights[i]) < 1e-30)
            {
                // Every completion of the group vanished under the proximal policy: no basis to reweight, equal weights.
                members.ForEach(i => weights[i] = 1);
            }

            var total = members.Sum(i => weights[i]);
            var mean = members.Sum(i => weights[i] * rewards[i]) / total;
            var std = Math.Sqrt(members.Sum(i => weights[i] * (rewards[i] - mean) * (rewards[i] - mean)) / total);
            var meanWeight = total / members.Count;
            foreach (var i in members)
            {
                var advantage = !standardise ? rewards[i] - mean : std < 1e-12 ? 0 : (rewards[i] - mean) / (std + epsilon);
                result[i] = (float)(weights[i] / meanWeight * advantage);
            }
        }

        return result;
    }

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
