using static AgentSilo.Learning.Tests.TestModels;

namespace AgentSilo.Learning.Tests;

public class SamplerTests
{
    // Prompts of different lengths, so every batch is left-padded.
    private static readonly int[][] Prompts = [[1, 3, 4], [1, 5], [1, 9, 8, 7, 6, 5], [1, 4, 4, 4]];

    [Fact]
    public void Greedy_sampling_with_the_cache_equals_naive_sampling()
    {
        using var model = Create();
        var options = SamplingOptions.Greedy(8) with { SamplesPerPrompt = 2, MaxBatch = 3, StopTokens = [9] };
        var cached = Sampler.Sample(model, Prompts, options, seed: 1);
        var naive = NaiveSampler.Sample(model, Prompts, options, seed: 1);
        Assert.Equal(8, cached.Count);
        Assert.Equal([0, 0, 1, 1, 2, 2, 3, 3], cached.Select(c => c.PromptIndex));
        for (var i = 0; i < cached.Count; i++)
        {
            Assert.Equal(naive[i].Tokens, cached[i].Tokens);
            Assert.Equal(naive[i].Stopped, cached[i].Stopped);
            Assert.Equal(naive[i].PromptIndex, cached[i].PromptIndex);
            AssertClose(naive[i].LogProbs, cached[i].LogProbs, 1e-5f);
        }

        // Greedy samples of one prompt are identical; a random tiny model does not stop, so all run to MaxNewTokens
        // or stop on token 9 (then 9 is last).
        Assert.Equal(cached[0].Tokens, cached[1].Tokens);
        Assert.All(cached, c => Assert.True(c.Stopped ? c.Tokens[^1] == 9 : c.Tokens.Length == 8));
    }

    [Fact]
    public void Sampled_completions_equal_naive_ones_for_the_same_seed()
    {
        using var model = Create();
        var options = new SamplingOptions(Temperature: 1.5f, TopP: 0.9f, SamplesPerPrompt: 3, MaxNewTokens: 6, MaxBatch: 5);
        var cached = Sampler.Sample(model, Prompts, options, seed: 42);
        var naive = NaiveSampler.Sample(model, Prompts, options, seed: 42);
        Assert.Equal(naive.Select(c => c.Tokens), cached.Select(c => c.Tokens));
    }

    [Fact]
    public void Rows_that_stop_early_are_dropped_without_changing_any_result()
    {
        using var model = Create();
        // Four of ten tokens stop: most rows stop within a few tokens, at different steps, so the batch shrinks
        // several times; a few run to MaxNewTokens.
        var options = new SamplingOptions(Temperature: 1f, SamplesPerPrompt: 16, MaxNewTokens: 12, StopTokens: [3, 4, 5, 6], MaxBatch: 40);
        var cached = Sampler.Sample(model, Prompts, options, seed: 8);
        var naive = NaiveSampler.Sample(model, Prompts, options, seed: 8);
        Assert.Equal(naive.Select(c => c.Tokens), cached.Select(c => c.Tokens));
        var lengths = cached.Select(c => c.Tokens.Length).ToArray();
        Assert.True(lengths.Distinct().Count() >= 4, string.Join(",", lengths));
        Assert.Contains(cached, c => c.Stopped);
        Assert.All(cached, c => Assert.True(c.Stopped ? c.Tokens[^1] is >= 3 and <= 6 : c.Tokens.Length == 12));
        var scores = SequenceScorer.LogProbs(model, [.. cached.Select(c => (Prompts[c.PromptIndex], c.Tokens))]);
        for (var i = 0; i < cached.Count; i++)
        {
            AssertClose(scores[i], cached[i].LogProbs, 1e-4f);
            AssertClose(naive[i].LogProbs, cached[i].LogProbs, 1e-5f);
        }
    }

    [Fact]
    public void The_same_seed_repeats_and_another_seed_differs()
    {
        using var model = Create();
        var options = new SamplingOptions(Temperature: 1f, SamplesPerPrompt: 4, MaxNewTokens: 10, MaxBatch: 7);
        var a = Sampler.Sample(model, Prompts, options, seed: 5);
        var b = Sampler.Sample(model, Prompts, options, seed: 5);
        var c = Sampler.Sample(model, Prompts, options, seed: 6);
        Assert.Equal(a.Select(x => x.Tokens), b.Select(x => x.Tokens));
        Assert.Equal(a.Select(x => x.LogProbs), b.Select(x => x.LogProbs));
        Assert.NotEqual(a.Select(x => x.Tokens), c.Select(x => x.Tokens));
        // Samples of the same prompt differ from one another (16 rows of 10 tokens over 10 tokens of vocabulary).
        Assert.True(a.Select(x => string.Join(",", x.Tokens)).Distinct().Count() > 8);
    }

    [Fact]
    public void Pad_is_never_drawn_and_log_probs_are_log_probabilities()
    {
        using var model = Create();
        var options = new SamplingOptions(Temperature: 5f, SamplesPerPrompt: 32, MaxNewTokens: 10, StopTokens: []);
        var completions = Sampler.Sample(model, Prompts, options, seed: 3);
        Assert.All(completions, c => Assert.DoesNotContain(CharTokenizer.Pad, c.Tokens));
        Assert.All(completions, c => Assert.All(c.LogProbs, p => Assert.InRange(p, -20f, 0f)));
        // Every other token does appear at this temperature.
        var seen = completions.SelectMany(c => c.Tokens).Distinct().Order().ToArray();
        Assert.Equal(Enumerable.Range(1, 9), seen);
    }

    [Fact]
    public void A_tiny_nucleus_is_greedy()
    {
        using var model = Create();
        var greedy = Sampler.Sample(model, Prompts, SamplingOptions.Greedy(6), seed: 0);
        var nucleus = Sampler.Sample(model, Prompts, new SamplingOptions(Temperature: 1f, TopP: 1e-6f, MaxNewTokens: 6), seed: 9);
        Assert.Equal(greedy.Select(c => c.Tokens), nucleus.Select(c => c.Tokens));
    }

    [Fact]
    public void A_stop_token_ends_the_completion_and_is_its_last_token()
    {
        using var model = Create();
        var free = Sampler.Sample(model, Prompts, SamplingOptions.Greedy(8) with { StopTokens = [] }, seed: 0);
        Assert.All(free, c => Assert.Equal(8, c.Tokens.Length));
        Assert.All(free, c => Assert.False(c.Stopped));
        // Stop on the third greedy token of prompt 0: that completion keeps three tokens and stops.
        var stop = free[0].Tokens[2];
        var stopped = Sampler.Sample(model, Prompts, SamplingOptions.Greedy(8) with { StopTokens = [stop] }, seed: 0);
        var expectedLength = Array.IndexOf(free[0].Tokens, stop) + 1;
        Assert.Equal(free[0].Tokens[..expectedLength], stopped[0].Tokens);
        Assert.True(stopped[0].Stopped);
        Assert.Equal(expectedLength, stopped[0].LogProbs.Length);
        for (var i = 0; i < Prompts.Length; i++)
        {
            var index = Array.IndexOf(free[i].Tokens, stop);
            Assert.Equal(index >= 0 ? free[i].Tokens[..(index + 1)] : free[i].Tokens, stopped[i].Tokens);
            Assert.Equal(index >= 0, stopped[i].Stopped);
        }
    }

    [Fact]
    public void Completions_never_exceed_the_context_length()
    {
        using var model = Create(Tiny(context: 8));
        int[][] prompts = [[1, 3, 4, 5, 6, 7], [1, 3], [1, 3, 4, 5, 6, 7, 8, 9]];
        var completions = Sampler.Sample(model, prompts, SamplingOptions.Greedy(10) with { StopTokens = [] }, seed: 0);
        Assert.Equal([2, 6, 0], completions.Select(c => c.Tokens.Length));
        Assert.All(completions, c => Assert.False(c.Stopped));
        Assert.Equal(completions.Select(c => c.Tokens), NaiveSampler.Sample(model, prompts, SamplingOptions.Greedy(10) with { StopTokens = [] }, 0).Select(c => c.Tokens));
        Assert.Throws<ArgumentException>(() => Sampler.Sample(model, [[1, 3, 3, 3, 3, 3, 3, 3, 3]], SamplingOptions.Greedy(2), 0));
    }

    [Fact]
    public void Bad_requests_are_rejected()
    {
        using var model = Create();
        Assert.Throws<ArgumentException>(() => Sampler.Sample(model, [[]], SamplingOptions.Greedy(2), 0));
        Assert.Throws<ArgumentException>(() => Sampler.Sample(model, [[1, 0, 3]], SamplingOptions.Greedy(2), 0));
        Assert.Throws<ArgumentException>(() => Sampler.Sample(model, [[1, 10]], SamplingOptions.Greedy(2), 0));
        Assert.Throws<ArgumentException>(() => Sampler.Sample(model, [[1]], new SamplingOptions(Temperature: -1), 0));
        Assert.Throws<ArgumentException>(() => Sampler.Sample(model, [[1]], new SamplingOptions(TopP: 0), 0));
        Assert.Throws<ArgumentException>(() => Sampler.Sample(model, [[1]], new SamplingOptions(MaxBatch: 0), 0));
        Assert.Throws<ArgumentException>(() => Sampler.Sample(model, [[1]], new SamplingOptions(StopTokens: [10]), 0));
        Assert.Empty(Sampler.Sample(model, [], SamplingOptions.Greedy(2), 0));
    }
}
