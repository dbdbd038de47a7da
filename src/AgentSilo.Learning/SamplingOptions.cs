namespace AgentSilo.Learning;

/// <summary>How completions are drawn from a policy.</summary>
/// <param name="Temperature">0 means greedy decoding.</param>
/// <param name="TopP">Nucleus sampling mass; 1 keeps every token.</param>
/// <param name="SamplesPerPrompt">Completions drawn for each prompt.</param>
/// <param name="MaxNewTokens">Longest completion, the stop token included.</param>
/// <param name="StopTokens">Tokens that end a completion; defaults to <see cref="CharTokenizer.Eos"/>.</param>
/// <param name="MaxBatch">Most sequences decoded together; larger requests are split.</param>
public sealed record SamplingOptions(
    float Temperature = 1f,
    float TopP = 1f,
    int SamplesPerPrompt = 1,
    int MaxNewTokens = 16,
    IReadOnlyList<int>? StopTokens = null,
    int MaxBatch = 512)
{
    public static SamplingOptions Greedy(int maxNewTokens) => new(Temperature: 0f, MaxNewTokens: maxNewTokens);
}

/// <summary>One completion: its tokens (the stop token, if reached, is the last), and the log-prob of each under the
/// sampling distribution's temperature-1 model probabilities.</summary>
/// <param name="PromptIndex">Index of the prompt it answers, in the request's order.</param>
/// <param name="Tokens">Completion token ids.</param>
/// <param name="LogProbs">log p(token | prefix) under the model (temperature 1, no top-p), one per token.</param>
/// <param name="Stopped">True when a stop token ended it, false when it ran out of tokens.</param>
public sealed record Completion(int PromptIndex, int[] Tokens, float[] LogProbs, bool Stopped)
{
    public double SumLogProb => LogProbs.Sum(x => (double)x);
    public double MeanLogProb => LogProbs.Length == 0 ? 0 : SumLogProb / LogProbs.Length;
}
