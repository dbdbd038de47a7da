using static AgentSilo.Learning.Tests.TestModels;

namespace AgentSilo.Learning.Tests;

public class SequenceScorerTests
{
    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(0.7f, 0.8f)]
    public void Scores_match_the_log_probs_the_sampler_reported(float temperature, float topP)
    {
        using var model = Create();
        int[][] prompts = [[1, 3, 4], [1, 5], [1, 9, 8, 7, 6, 5]];
        var options = new SamplingOptions(temperature, topP, SamplesPerPrompt: 3, MaxNewTokens: 8, MaxBatch: 4);
        var completions = Sampler.Sample(model, prompts, options, seed: 11);
        var pairs = completions.Select(c => (prompts[c.PromptIndex], c.Tokens)).ToList();
        var scores = SequenceScorer.LogProbs(model, pairs, maxBatch: 5);
        Assert.Equal(completions.Count, scores.Count);
        for (var i = 0; i < scores.Count; i++)
        {
            AssertClose(completions[i].LogProbs, scores[i], 1e-4f);
        }
    }

    [Fact]
    public void Empty_completions_score_empty_and_overlong_pairs_are_rejected()
    {
        using var model = Create(Tiny(context: 4));
        var scores = SequenceScorer.LogProbs(model, [([1], []), ([1, 3], [4, 5, 2])]);
        Assert.Empty(scores[0]);
        Assert.Equal(3, scores[1].Length);
        Assert.Empty(SequenceScorer.LogProbs(model, [([1], [])])[0]);
        Assert.Throws<ArgumentException>(() => SequenceScorer.LogProbs(model, [([1, 3], [4, 5, 6, 2])]));
        Assert.Throws<ArgumentException>(() => SequenceScorer.LogProbs(model, [([1, 3], [0])]));
    }
}
