namespace AgentSilo.Learning;

/// <summary>Log-probabilities the model assigns to given completions (self-likelihood, old log-probs for RL).</summary>
public static class SequenceScorer
{
    /// <summary>For each (prompt, completion) pair: log p(token | prefix) for every completion token, batched, under no_grad.</summary>
    public static IReadOnlyList<float[]> LogProbs(Gpt model, IReadOnlyList<(int[] Prompt, int[] Completion)> pairs, int maxBatch = 512)
        => throw new NotImplementedException();
}
