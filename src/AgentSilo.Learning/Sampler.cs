namespace AgentSilo.Learning;

/// <summary>
/// Batched sampling with a KV cache: prompts are left-padded into one batch, the prefix is run once, and each
/// new token costs one step over the cache. Runs under no_grad with one dispose scope per batch.
/// </summary>
public static class Sampler
{
    /// <summary>
    /// Draws <see cref="SamplingOptions.SamplesPerPrompt"/> completions for each prompt (token ids, Bos first), ordered by
    /// prompt then sample. The same <paramref name="seed"/>, model and request give the same completions.
    /// </summary>
    public static IReadOnlyList<Completion> Sample(Gpt model, IReadOnlyList<int[]> prompts, SamplingOptions options, long seed)
        => throw new NotImplementedException();
}

/// <summary>
/// The baseline for the KV-cache sampler: every new token re-runs the model over the whole prefix.
/// Same interface and results distribution; kept for the benchmark and as a test oracle.
/// </summary>
public static class NaiveSampler
{
    public static IReadOnlyList<Completion> Sample(Gpt model, IReadOnlyList<int[]> prompts, SamplingOptions options, long seed)
        => throw new NotImplementedException();
}
