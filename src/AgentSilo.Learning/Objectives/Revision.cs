namespace AgentSilo.Learning.Objectives;

/// <summary>
/// Revision prompts for self-improvement policies (SRPO, PIT): the task prompt, then a draft answer, then
/// <see cref="CharTokenizer.Eos"/> as the separator; the completion is the revised answer. One model serves both roles:
/// a plain prompt asks for an answer, a revision prompt for a better one.
/// </summary>
public static class Revision
{
    /// <summary>The revision prompt for <paramref name="draft"/> (a completion; a trailing Eos is dropped, the separator adds one).</summary>
    public static int[] Prompt(int[] prompt, int[] draft)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(draft);
        var body = draft.Length > 0 && draft[^1] == CharTokenizer.Eos ? draft.AsSpan(0, draft.Length - 1) : draft.AsSpan();
        return [.. prompt, .. body, CharTokenizer.Eos];
    }

    /// <summary>Context a revision of an answer up to <paramref name="maxAnswerTokens"/> tokens (Eos included) needs for a prompt of <paramref name="promptTokens"/>.</summary>
    public static int ContextNeeded(int promptTokens, int maxAnswerTokens) => promptTokens + (2 * maxAnswerTokens);

    /// <summary>
    /// Greedy answers, then <paramref name="revisions"/> rounds of self-revision: each answer revised from the previous one.
    /// Returns one list of completions per stage (stage 0: the first answers). Drafts too long for the context stay as they are.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int[]>> Revise(Gpt model, IReadOnlyList<int[]> prompts, int revisions, int maxNewTokens, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentOutOfRangeException.ThrowIfNegative(revisions);
        var greedy = SamplingOptions.Greedy(maxNewTokens);
        var current = Sampler.Sample(model, prompts, greedy, seed).OrderBy(c => c.PromptIndex).Select(c => c.Tokens).ToArray();
        var stages = new List<IReadOnlyList<int[]>> { current };
        for (var r = 1; r <= revisions; r++)
        {
            var fits = Enumerable.Range(0, prompts.Count)
                .Where(i => Prompt(prompts[i], current[i]).Length + maxNewTokens <= model.Config.ContextLength + 1)
                .ToArray();
            var next = (int[][])current.Clone();
            if (fits.Length > 0)
            {
                var revised = Sampler.Sample(model, [.. fits.Select(i => Prompt(prompts[i], current[i]))], greedy, seed + r);
                foreach (var c in revised)
                {
                    next[fits[c.PromptIndex]] = c.Tokens;
                }
            }

            current = next;
            stages.Add(current);
        }

        return stages;
    }
}
