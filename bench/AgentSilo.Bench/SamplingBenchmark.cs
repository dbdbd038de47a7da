using System.Diagnostics;
using AgentSilo.Learning;

namespace AgentSilo.Bench;

/// <summary>
/// Tokens per second of policy sampling on one realistic configuration: (a) the batched KV-cache
/// <see cref="Sampler"/>, (b) <see cref="NaiveSampler"/> with the same batching, (c) <see cref="NaiveSampler"/> one
/// prompt at a time. Prints each rate and the ratios a/b and a/c measured in this run.
/// </summary>
public static class SamplingBenchmark
{
    private const int Prompts = 256;
    private const int NewTokens = 24;
    private const int OneAtATimePrompts = 16;

    public static void Run(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var tokenizer = new CharTokenizer("abcdefghijklmnopqrstuvwxyz0123456789+-*=>");
        var config = new GptConfig(tokenizer.VocabSize, ContextLength: 64, Layers: 2, Heads: 4, Width: 128);
        using var model = new Gpt(config, device: null, seed: 1);
        var random = new Random(2);
        var prompts = Enumerable.Range(0, Prompts)
            .Select(_ => tokenizer.EncodePrompt(new string([.. Enumerable.Range(0, random.Next(9, 14)).Select(_ => tokenizer.Alphabet[random.Next(tokenizer.Alphabet.Length)])])))
            .ToArray();
        // No stop tokens: every row draws exactly NewTokens tokens, so all three do the same work.
        var batched = new SamplingOptions(Temperature: 1f, MaxNewTokens: NewTokens, StopTokens: [], MaxBatch: Prompts);
        var single = batched with { MaxBatch = 1 };

        output.WriteLine($"Sampling benchmark: width {config.Width}, {config.Layers} layers, {config.Heads} heads, context {config.ContextLength}, " +
            $"{model.ParameterCount:N0} parameters; {Prompts} prompts of {prompts.Min(p => p.Length)}-{prompts.Max(p => p.Length)} tokens, " +
            $"{NewTokens} new tokens, temperature 1; torch threads {TorchSharp.torch.get_num_threads()}");

        // Warm-up: first calls pay for native initialisation and JIT.
        Sampler.Sample(model, prompts[..32], batched, seed: 0);
        NaiveSampler.Sample(model, prompts[..32], batched, seed: 0);
        NaiveSampler.Sample(model, prompts[..2], single, seed: 0);

        var cached = Measure(() => Sampler.Sample(model, prompts, batched, seed: 1), repeats: 3);
        var naive = Measure(() => NaiveSampler.Sample(model, prompts, batched, seed: 1), repeats: 2);
        var oneAtATime = Measure(() => NaiveSampler.Sample(model, prompts[..OneAtATimePrompts], single, seed: 1), repeats: 1);

        output.WriteLine($"(a) Sampler, KV cache, batch {Prompts}:        {cached,10:N0} tokens/s");
        output.WriteLine($"(b) NaiveSampler, batch {Prompts}:             {naive,10:N0} tokens/s");
        output.WriteLine($"(c) NaiveSampler, one prompt at a time: {oneAtATime,10:N0} tokens/s ({OneAtATimePrompts} prompts)");
        output.WriteLine($"a/b = {cached / naive:F1}x, a/c = {cached / oneAtATime:F1}x");
    }

    /// <summary>Best tokens/s over <paramref name="repeats"/> runs (the least disturbed by other work on the machine).</summary>
    private static double Measure(Func<IReadOnlyList<Completion>> sample, int repeats)
    {
        var best = 0.0;
        for (var i = 0; i < repeats; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var completions = sample();
            var seconds = stopwatch.Elapsed.TotalSeconds;
            best = Math.Max(best, completions.Sum(c => c.Tokens.Length) / seconds);
        }

        return best;
    }
}
