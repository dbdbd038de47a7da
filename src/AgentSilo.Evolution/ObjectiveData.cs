using AgentSilo.Learning;
using AgentSilo.Learning.Objectives;
using AgentSilo.Tasks;

namespace AgentSilo.Evolution;

/// <summary>One sampled completion with its reward, as an objective's training data starts out.</summary>
/// <param name="TaskId">The problem it answers: its group.</param>
/// <param name="Prompt">Prompt token ids.</param>
/// <param name="Completion">Completion token ids, as sampled (the stop token included when reached).</param>
/// <param name="LogProbs">Per-token log-probs under the version that sampled it.</param>
/// <param name="Reward">The method's reward (verifier: 1 right, 0 wrong; majority: 1 agrees with the vote; likelihood: mean log-prob).</param>
/// <param name="PolicyVersion">The version that sampled it.</param>
public sealed record ScoredSample(string TaskId, int[] Prompt, int[] Completion, float[] LogProbs, double Reward, int PolicyVersion = 0);

/// <summary>
/// Turns a round's rewarded samples into an objective's examples: advantages for the policy gradients, preference pairs
/// (the group's best against its worst) for DPO and SRPO, reference-conditioned pairs for PIT.
/// </summary>
public static class ObjectiveData
{
    /// <summary>Pairs drawn from one problem's samples at most.</summary>
    public const int MaxPairsPerProblem = 4;

    /// <summary>
    /// Each sample's reward under the method's selection rule. Verifier (labels): 1 when the answer is right and complete.
    /// Majority (no labels): 1 when the complete answer is the group's most frequent one. Likelihood (no labels, "RLHF
    /// sharpening"): the model's own normalized log-likelihood, minus 1 for a cut-off answer.
    /// </summary>
    public static double[] Rewards(SelectionKind kind, ITaskSuite suite, IReadOnlyList<TaskProblem> problems, IReadOnlyList<SampledAnswer> samples)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(samples);
        var byId = problems.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var votes = samples.Where(s => s.Stopped).GroupBy(s => s.ProblemId)
            .ToDictionary(g => g.Key, g => g.GroupBy(s => s.Answer).OrderByDescending(a => a.Count()).ThenBy(a => a.Key, StringComparer.Ordinal).First().Key);
        return [.. samples.Select(s => kind switch
        {
            SelectionKind.Verifier => s.Stopped && suite.Verify(byId[s.ProblemId], s.Answer) ? 1.0 : 0.0,
            SelectionKind.Majority => s.Stopped && votes.TryGetValue(s.ProblemId, out var top) && top == s.Answer ? 1.0 : 0.0,
            SelectionKind.Likelihood => s.MeanLogProb - (s.Stopped ? 0 : 1),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        })];
    }

    /// <summary>
    /// Policy-gradient examples: advantages within each problem's group (GRPO: standardised; REINFORCE: minus the mean),
    /// the sampler's log-probs as behaviour log-probs. Groups whose rewards are all equal carry no signal and are left out.
    /// </summary>
    public static List<PolicySample> PolicySamples(ObjectiveKind kind, IReadOnlyList<ScoredSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var groups = GroupIds(samples);
        var rewards = samples.Select(s => s.Reward).ToList();
        var advantages = kind switch
        {
            ObjectiveKind.Grpo => Advantages.GroupRelative(rewards, groups),
            ObjectiveKind.Reinforce => Advantages.Baseline(rewards, groups),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a policy-gradient objective"),
        };
        var informative = samples.Select((s, i) => (s, i)).GroupBy(x => x.s.TaskId)
            .Where(g => g.Select(x => x.s.Reward).Distinct().Count() > 1)
            .SelectMany(g => g.Select(x => x.i))
            .Order();
        return [.. informative.Select(i => new PolicySample(samples[i].Prompt, samples[i].Completion, advantages[i], BehaviourLogProbs: samples[i].LogProbs))];
    }

    /// <summary>The samples of the problems whose rewards differ (the ones <see cref="PolicySamples"/> keeps), in their order.</summary>
    public static List<ScoredSample> Informative(IReadOnlyList<ScoredSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var informative = samples.GroupBy(s => s.TaskId).Where(g => g.Select(s => s.Reward).Distinct().Count() > 1).Select(g => g.Key)
            .ToHashSet(StringComparer.Ordinal);
        return [.. samples.Where(s => informative.Contains(s.TaskId))];
    }

    /// <summary>
    /// Policy-gradient examples corrected per sequence (train.importance_level: sequence): <see cref="Advantages.OffPolicy"/>
    /// from each sample's log ratio, summed over its tokens, of the <paramref name="proximal"/> log-probs (the weights the round
    /// starts from) to the ones it was sampled with; the correction is folded into the advantage (a positive factor, so the
    /// clipped ratio is unchanged), so the examples carry no behaviour log-probs. GRPO standardises within the group, REINFORCE
    /// subtracts the weighted mean. A sample without recorded log-probs counts as on policy (log ratio 0).
    /// </summary>
    public static List<PolicySample> SequenceCorrected(ObjectiveKind kind, IReadOnlyList<ScoredSample> samples, IReadOnlyList<float[]> proximal, double cap)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(proximal);
        if (kind is not (ObjectiveKind.Grpo or ObjectiveKind.Reinforce))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a policy-gradient objective");
        }

        if (samples.Count != proximal.Count)
        {
            throw new ArgumentException($"{samples.Count} samples but {proximal.Count} proximal log-prob rows.", nameof(proximal));
        }

        var logRatios = samples.Select((s, i) => s.LogProbs.Length == proximal[i].Length
            ? proximal[i].Zip(s.LogProbs, (p, b) => (double)p - b).Sum()
            : 0).ToList();
        var advantages = Advantages.OffPolicy([.. samples.Select(s => s.Reward)], GroupIds(samples), logRatios, cap, standardise: kind == ObjectiveKind.Grpo);
        return [.. samples.Select((s, i) => new PolicySample(s.Prompt, s.Completion, advantages[i], ProximalLogProbs: proximal[i]))];
    }

    /// <summary>
    /// DPO and SRPO pairs: in each problem's group, distinct completions with the top reward against distinct ones with the
    /// bottom reward (when they differ), at most <see cref="MaxPairsPerProblem"/> a problem.
    /// </summary>
    public static List<PreferencePair> Pairs(IReadOnlyList<ScoredSample> samples) =>
        [.. Extremes(samples).SelectMany(g => g.Best.Zip(g.Worst, (w, l) => new PreferencePair(g.Prompt, w, l)).Take(MaxPairsPerProblem))];

    /// <summary>
    /// PIT pairs: each answer of the group in turn is the reference y_ref (<see cref="Revision.Prompt"/>). Given a bottom-reward
    /// reference, a top-reward answer (gap above 0) is preferred over repeating the reference (gap 0); given a top-reward
    /// reference, keeping it (gap 0) is preferred over a bottom-reward answer (gap below 0). At most
    /// <see cref="MaxPairsPerProblem"/> a problem, alternating the two kinds.
    /// </summary>
    public static List<PreferencePair> ReferencePairs(IReadOnlyList<ScoredSample> samples) =>
        [.. Extremes(samples).SelectMany(g =>
        {
            var improve = g.Worst.Select((reference, i) => new PreferencePair(Revision.Prompt(g.Prompt, reference), g.Best[i % g.Best.Count], reference));
            var keep = g.Best.Select((reference, i) => new PreferencePair(Revision.Prompt(g.Prompt, reference), reference, g.Worst[i % g.Worst.Count]));
            return Interleave(improve.ToList(), keep.ToList()).Take(MaxPairsPerProblem);
        })];

    private static IEnumerable<T> Interleave<T>(List<T> a, List<T> b)
    {
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            if (i < a.Count)
            {
                yield return a[i];
            }

            if (i < b.Count)
            {
                yield return b[i];
            }
        }
    }

    /// <summary>Keeps the pairs whose longest row (chosen or rejected, after either one as the draft of a revision prompt) fits the model's context.</summary>
    public static List<PreferencePair> Fitting(IEnumerable<PreferencePair> pairs, GptConfig config, bool withRevisions) =>
        [.. pairs.Where(p =>
            Fits(p.Prompt, p.Chosen, config) && Fits(p.Prompt, p.Rejected, config)
            && (!withRevisions || new[] { p.Rejected, p.Chosen }.All(draft =>
                Fits(Revision.Prompt(p.Prompt, draft), p.Chosen, config) && Fits(Revision.Prompt(p.Prompt, draft), p.Rejected, config))))];

    private static bool Fits(int[] prompt, int[] completion, GptConfig config) =>
        completion.Length > 0 && prompt.Length + completion.Length - 1 <= config.ContextLength;

    private static List<int> GroupIds(IReadOnlyList<ScoredSample> samples)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        return [.. samples.Select(s => ids.TryGetValue(s.TaskId, out var id) ? id : ids[s.TaskId] = ids.Count)];
    }

    private static IEnumerable<(int[] Prompt, List<int[]> Best, List<int[]> Worst)> Extremes(IReadOnlyList<ScoredSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        foreach (var group in samples.GroupBy(s => s.TaskId))
        {
            var max = group.Max(s => s.Reward);
            var min = group.Min(s => s.Reward);
            if (max > min)
            {
                List<int[]> Distinct(double reward) => [.. group.Where(s => s.Reward == reward).Select(s => s.Completion)
                    .DistinctBy(c => string.Join(',', c))];
                yield return (group.First().Prompt, Distinct(max), Distinct(min));
            }
        }
    }
}
