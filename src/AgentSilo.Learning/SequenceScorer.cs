using static TorchSharp.torch;

namespace AgentSilo.Learning;

/// <summary>Log-probabilities the model assigns to given completions (self-likelihood, old log-probs for RL).</summary>
public static class SequenceScorer
{
    /// <summary>For each (prompt, completion) pair: log p(token | prefix) for every completion token, batched, under no_grad.</summary>
    /// <remarks>Prompt and completion together may hold ContextLength + 1 tokens: the last token is only predicted.</remarks>
    public static IReadOnlyList<float[]> LogProbs(Gpt model, IReadOnlyList<(int[] Prompt, int[] Completion)> pairs, int maxBatch = 512)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatch);
        var config = model.Config;
        model.eval(); // Training-only behaviour (random position offsets) must not leak into scoring.
        for (var i = 0; i < pairs.Count; i++)
        {
            SamplingLoop.ValidateTokens(config, pairs[i].Prompt, $"pairs[{i}].Prompt", nameof(pairs), allowEmpty: false);
            SamplingLoop.ValidateTokens(config, pairs[i].Completion, $"pairs[{i}].Completion", nameof(pairs), allowEmpty: true);
            var length = pairs[i].Prompt.Length + pairs[i].Completion.Length;
            if (length > config.ContextLength + 1)
            {
                throw new ArgumentException(
                    $"pairs[{i}] has {length} tokens; at most ContextLength + 1 = {config.ContextLength + 1} fit.", nameof(pairs));
            }
        }

        var results = new float[pairs.Count][];
        for (var chunkStart = 0; chunkStart < pairs.Count; chunkStart += maxBatch)
        {
            var count = Math.Min(maxBatch, pairs.Count - chunkStart);
            var sequences = new int[count][];
            for (var i = 0; i < count; i++)
            {
                var (prompt, completion) = pairs[chunkStart + i];
                sequences[i] = [.. prompt, .. completion];
            }

            var width = sequences.Max(s => s.Length);
            if (width == 1)
            {
                // Only one-token prompts with empty completions: nothing to score.
                for (var i = 0; i < count; i++)
                {
                    results[chunkStart + i] = [];
                }

                continue;
            }

            float[] logProbs;
            using (NewDisposeScope())
            using (no_grad())
            {
                // Left-padded like the sampler's batches: position t's logits score token t + 1.
                var ids = SamplingLoop.LeftPad(sequences, model.Device, width);
                var logits = model.forward(ids.narrow(1, 0, width - 1));
                var scored = logits.log_softmax(-1).gather(-1, ids.narrow(1, 1, width - 1).unsqueeze(-1)).squeeze(-1);
                logProbs = scored.cpu().data<float>().ToArray();
            }

            for (var i = 0; i < count; i++)
            {
                var (prompt, completion) = pairs[chunkStart + i];
                var pad = width - sequences[i].Length;
                var row = new float[completion.Length];
                // Completion token k sits at index pad + prompt.Length + k and is scored at the index before it.
                Array.Copy(logProbs, (i * (width - 1)) + pad + prompt.Length - 1, row, 0, completion.Length);
                results[chunkStart + i] = row;
            }
        }

        return results;
    }
}
