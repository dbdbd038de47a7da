using TorchSharp;
using static TorchSharp.torch;

namespace AgentSilo.Learning;

/// <summary>
/// Batched sampling with a KV cache: prompts are left-padded into one batch, the prefix is run once, and each
/// new token costs one step over the cache. Runs under no_grad with one dispose scope per batch.
/// </summary>
/// <remarks>
/// <see cref="CharTokenizer.Pad"/> is never drawn (it would read as padding); the reported log-probs are still those of
/// the full temperature-1 distribution, so they match <see cref="SequenceScorer"/>. A completion also ends, with
/// <c>Stopped</c> false, when its prompt and completion fill the model's ContextLength.
/// </remarks>
public static class Sampler
{
    /// <summary>
    /// Draws <see cref="SamplingOptions.SamplesPerPrompt"/> completions for each prompt (token ids, Bos first), ordered by
    /// prompt then sample. The same <paramref name="seed"/>, model and request give the same completions.
    /// </summary>
    public static IReadOnlyList<Completion> Sample(Gpt model, IReadOnlyList<int[]> prompts, SamplingOptions options, long seed)
        => SamplingLoop.Run(model, prompts, options, seed, static (m, prefix, steps) => new CachedDecoder(m, prefix, steps));

    private sealed class CachedDecoder(Gpt model, Tensor prefix, int maxSteps) : IDecoder
    {
        private readonly KvCache _cache = model.NewCache((int)prefix.shape[0], (int)prefix.shape[1] + maxSteps - 1);

        public Tensor Prefill() => LastLogits(model.Forward(prefix, _cache));

        public Tensor Step(Tensor next) => LastLogits(model.Forward(next, _cache));

        public void KeepRows(Tensor rows) => _cache.KeepRows(rows);

        public void Dispose() => _cache.Dispose();

        private static Tensor LastLogits(Tensor logits) => logits.select(1, logits.shape[1] - 1);
    }
}

/// <summary>
/// The baseline for the KV-cache sampler: every new token re-runs the model over the whole prefix.
/// Same interface and results distribution; kept for the benchmark and as a test oracle.
/// </summary>
public static class NaiveSampler
{
    public static IReadOnlyList<Completion> Sample(Gpt model, IReadOnlyList<int[]> prompts, SamplingOptions options, long seed)
        => SamplingLoop.Run(model, prompts, options, seed, static (m, prefix, steps) => new FullDecoder(m, prefix, steps));

    private sealed class FullDecoder : IDecoder
    {
        private readonly Gpt _model;
        private Tensor _ids;
        private int _length;

        public FullDecoder(Gpt model, Tensor prefix, int maxSteps)
        {
            _model = model;
            _length = (int)prefix.shape[1];
            _ids = full(prefix.shape[0], _length + maxSteps - 1, CharTokenizer.Pad, dtype: ScalarType.Int64, device: prefix.device)
                .DetachFromDisposeScope();
            _ids.narrow(1, 0, _length).copy_(prefix);
        }

        public Tensor Prefill() => Run();

        public Tensor Step(Tensor next)
        {
            _ids.narrow(1, _length, 1).copy_(next);
            _length++;
            return Run();
        }

        public void KeepRows(Tensor rows)
        {
            var kept = _ids.index_select(0, rows).DetachFromDisposeScope();
            _ids.Dispose();
            _ids = kept;
        }

        public void Dispose() => _ids.Dispose();

        private Tensor Run()
        {
            var logits = _model.forward(_ids.narrow(1, 0, _length));
            return logits.select(1, _length - 1);
        }
    }
}

/// <summary>Produces next-token logits [batch, vocab] for a left-padded batch, one new column at a time.</summary>
internal interface IDecoder : IDisposable
{
    Tensor Prefill();

    /// <summary><paramref name="next"/> is [batch, 1]; rows already finished are fed <see cref="CharTokenizer.Pad"/>.</summary>
    Tensor Step(Tensor next);

    /// <summary>Drops every row not in <paramref name="rows"/> (int64 indices into the current batch).</summary>
    void KeepRows(Tensor rows);
}

/// <summary>The request handling, batching, token choice and stopping that both samplers share.</summary>
internal static class SamplingLoop
{
    /// <summary>Drop finished rows from the batch (on by default; a switch for measuring what it saves).</summary>
    internal static bool CompactFinishedRows { get; set; } = true;

    internal static IReadOnlyList<Completion> Run(
        Gpt model, IReadOnlyList<int[]> prompts, SamplingOptions options, long seed, Func<Gpt, Tensor, int, IDecoder> decoderFactory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(options);
        Validate(model.Config, prompts, options);
        model.eval(); // Training-only behaviour (random position offsets) must not leak into sampling.

        var stopTokens = new bool[model.Config.VocabSize];
        foreach (var token in options.StopTokens ?? [CharTokenizer.Eos])
        {
            stopTokens[token] = true;
        }

        var rows = prompts.Count * options.SamplesPerPrompt;
        var results = new Completion[rows];
        for (int chunkStart = 0, chunk = 0; chunkStart < rows; chunkStart += options.MaxBatch, chunk++)
        {
            var count = Math.Min(options.MaxBatch, rows - chunkStart);
            var chunkPrompts = new int[count][];
            for (var i = 0; i < count; i++)
            {
                chunkPrompts[i] = prompts[(chunkStart + i) / options.SamplesPerPrompt];
            }

            var completions = RunChunk(model, chunkPrompts, options, stopTokens, unchecked(seed + chunk), decoderFactory);
            for (var i = 0; i < count; i++)
            {
                var (tokens, logProbs, stopped) = completions[i];
                results[chunkStart + i] = new Completion((chunkStart + i) / options.SamplesPerPrompt, tokens, logProbs, stopped);
            }
        }

        return results;
    }

    internal static void Validate(GptConfig config, IReadOnlyList<int[]> prompts, SamplingOptions options)
    {
        if (!(options.Temperature >= 0) || float.IsInfinity(options.Temperature))
        {
            throw new ArgumentException($"Temperature must be finite and >= 0, got {options.Temperature}.", nameof(options));
        }

        if (!(options.TopP > 0 && options.TopP <= 1))
        {
            throw new ArgumentException($"TopP must be in (0, 1], got {options.TopP}.", nameof(options));
        }

        if (options.SamplesPerPrompt < 1 || options.MaxBatch < 1 || options.MaxNewTokens < 0)
        {
            throw new ArgumentException(
                $"SamplesPerPrompt ({options.SamplesPerPrompt}) and MaxBatch ({options.MaxBatch}) must be >= 1 and MaxNewTokens ({options.MaxNewTokens}) >= 0.",
                nameof(options));
        }

        foreach (var token in options.StopTokens ?? [])
        {
            if (token < 0 || token >= config.VocabSize)
            {
                throw new ArgumentException($"Stop token {token} is outside the vocabulary (0..{config.VocabSize - 1}).", nameof(options));
            }
        }

        for (var i = 0; i < prompts.Count; i++)
        {
            ValidateTokens(config, prompts[i], $"prompts[{i}]", nameof(prompts), allowEmpty: false);
            if (prompts[i].Length > config.ContextLength)
            {
                throw new ArgumentException(
                    $"prompts[{i}] has {prompts[i].Length} tokens; the model's ContextLength is {config.ContextLength}.", nameof(prompts));
            }
        }
    }

    internal static void ValidateTokens(GptConfig config, int[]? tokens, string what, string paramName, bool allowEmpty)
    {
        if (tokens is null || (!allowEmpty && tokens.Length == 0))
        {
            throw new ArgumentException($"{what} is {(tokens is null ? "null" : "empty")}.", paramName);
        }

        foreach (var token in tokens)
        {
            if (token <= CharTokenizer.Pad || token >= config.VocabSize)
            {
                throw new ArgumentException(
                    $"{what} holds token {token}; tokens must be in 1..{config.VocabSize - 1} (0 is Pad).", paramName);
            }
        }
    }

    /// <summary>Left-pads <paramref name="sequences"/> with Pad into [batch, longest] int64 on <paramref name="device"/>.</summary>
    internal static Tensor LeftPad(IReadOnlyList<int[]> sequences, Device device, int? width = null)
    {
        var longest = width ?? sequences.Max(s => s.Length);
        var data = new long[sequences.Count * longest];
        for (var r = 0; r < sequences.Count; r++)
        {
            var offset = (r * longest) + longest - sequences[r].Length;
            for (var t = 0; t < sequences[r].Length; t++)
            {
                data[offset + t] = sequences[r][t];
            }
        }

        return tensor(data, [sequences.Count, longest], dtype: ScalarType.Int64, device: device);
    }

    private static (int[] Tokens, float[] LogProbs, bool Stopped)[] RunChunk(
        Gpt model, int[][] prompts, SamplingOptions options, bool[] stopTokens, long seed, Func<Gpt, Tensor, int, IDecoder> decoderFactory)
    {
        var batch = prompts.Length;
        var budget = new int[batch];
        var maxSteps = 0;
        for (var r = 0; r < batch; r++)
        {
            budget[r] = Math.Min(options.MaxNewTokens, model.Config.ContextLength - prompts[r].Length);
            maxSteps = Math.Max(maxSteps, budget[r]);
        }

        var tokens = new int[batch][];
        var lengths = new int[batch];
        var stopped = new bool[batch];
        for (var r = 0; r < batch; r++)
        {
            tokens[r] = new int[budget[r]];
        }

        var result = new (int[], float[], bool)[batch];
        if (maxSteps == 0)
        {
            for (var r = 0; r < batch; r++)
            {
                result[r] = ([], [], false);
            }

            return result;
        }

        float[] logProbs;
        using (var chunkScope = NewDisposeScope())
        using (no_grad())
        {
            var device = model.Device;
            using var generator = options.Temperature > 0 ? new Generator(unchecked((ulong)seed), device) : null;
            // Pad is never drawn: -inf on its logit before argmax / sampling.
            var padBias = zeros(model.Config.VocabSize, device: device);
            padBias[CharTokenizer.Pad] = float.NegativeInfinity;
            var allLogProbs = zeros(batch, maxSteps, device: device);
            var active = budget.Count(b => b > 0);
            // rows[j]: the chunk row that batch row j decodes. Finished rows are dropped from the batch once they are
            // half of it, so that they stop costing compute (each drop copies the cache once).
            var rows = Enumerable.Range(0, batch).ToArray();
            var rowIndex = arange(batch, dtype: ScalarType.Int64, device: device);

            using var decoder = decoderFactory(model, LeftPad(prompts, device), maxSteps);
            var logits = decoder.Prefill();
            for (var step = 0; step < maxSteps; step++)
            {
                using var stepScope = NewDisposeScope();
                var (next, logProb) = Choose(logits, padBias, options, generator);
                allLogProbs.select(1, step).index_copy_(0, rowIndex, logProb);
                var chosen = next.cpu().data<long>().ToArray();
                var feed = new long[rows.Length];
                for (var j = 0; j < rows.Length; j++)
                {
                    var r = rows[j];
                    if (lengths[r] >= budget[r] || stopped[r])
                    {
                        feed[j] = CharTokenizer.Pad;
                        continue;
                    }

                    var token = (int)chosen[j];
                    tokens[r][lengths[r]++] = token;
                    feed[j] = token;
                    if (stopTokens[token])
                    {
                        stopped[r] = true;
                    }

                    if (stopped[r] || lengths[r] == budget[r])
                    {
                        active--;
                        // A finished row is fed Pad from now on: it neither advances its positions nor is seen as a key.
                        feed[j] = CharTokenizer.Pad;
                    }
                }

                if (active == 0)
                {
                    break;
                }

                var nextIds = tensor(feed, [rows.Length, 1], dtype: ScalarType.Int64, device: device);
                if (CompactFinishedRows && active <= rows.Length / 2)
                {
                    var keep = Enumerable.Range(0, rows.Length).Where(j => lengths[rows[j]] < budget[rows[j]] && !stopped[rows[j]]).ToArray();
                    var keepIndex = tensor(keep.Select(j => (long)j).ToArray(), dtype: ScalarType.Int64, device: device);
                    decoder.KeepRows(keepIndex);
                    nextIds = nextIds.index_select(0, keepIndex);
                    rows = [.. keep.Select(j => rows[j])];
                    var keptRowIndex = tensor(rows.Select(r => (long)r).ToArray(), dtype: ScalarType.Int64, device: device);
                    rowIndex.Dispose();
                    rowIndex = keptRowIndex.MoveToOuterDisposeScope();
                }

                var nextLogits = decoder.Step(nextIds);
                logits.Dispose();
                logits = nextLogits.MoveToOuterDisposeScope();
            }

            logProbs = allLogProbs.cpu().data<float>().ToArray();
        }

        for (var r = 0; r < batch; r++)
        {
            var rowLogProbs = new float[lengths[r]];
            Array.Copy(logProbs, r * maxSteps, rowLogProbs, 0, lengths[r]);
            result[r] = (lengths[r] == tokens[r].Length ? tokens[r] : tokens[r][..lengths[r]], rowLogProbs, stopped[r]);
        }

        return result;
    }

    /// <summary>The next token [batch, 1] and its temperature-1 log-prob [batch].</summary>
    private static (Tensor Next, Tensor LogProb) Choose(Tensor logits, Tensor padBias, SamplingOptions options, Generator? generator)
    {
        var allowed = logits.add(padBias, TorchScalars.One);
        Tensor next;
        if (options.Temperature == 0 || generator is null)
        {
            next = allowed.argmax(-1, keepdim: true);
        }
        else
        {
            using var temperature = options.Temperature.ToScalar();
            var probs = allowed.div_(temperature).softmax(-1);
            if (options.TopP < 1)
            {
                var (sorted, order) = probs.sort(-1, descending: true);
                // Keep the smallest prefix whose mass reaches TopP (the most likely token always stays).
                using var topP = options.TopP.ToScalar();
                var before = sorted.cumsum(-1).sub_(sorted);
                sorted.masked_fill_(before.ge(topP), TorchScalars.Zero);
                next = order.gather(-1, sorted.multinomial(1, generator: generator));
            }
            else
            {
                next = probs.multinomial(1, generator: generator);
            }
        }

        var logProb = logits.log_softmax(-1).gather(-1, next).squeeze(1);
        return (next, logProb);
    }
}
