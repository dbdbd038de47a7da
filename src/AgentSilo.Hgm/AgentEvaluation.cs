using AgentSilo.Learning;
using AgentSilo.Tasks;

namespace AgentSilo.Hgm;

/// <summary>Samples an agent variant's completions for each of <paramref name="problems"/> (outer list: one per problem, in order).</summary>
public delegate Task<IReadOnlyList<IReadOnlyList<SampledText>>> SampleProblems(
    AgentVariant variant, IReadOnlyList<TaskProblem> problems, long seed, CancellationToken cancellationToken);

/// <summary>
/// One evaluation = the variant on one training-split task, checked by the verifier. The node's k-th evaluation is
/// always task k of the pool, so agents are compared on the same tasks.
/// </summary>
public sealed class TaskPoolEvaluator(ITaskSuite suite, IReadOnlyList<TaskProblem> pool, SampleProblems sample) : IAgentEvaluator
{
    public async Task<TaskOutcome> EvaluateAsync(AgentVariant variant, EvaluationTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var problem = pool[ticket.Task % pool.Count];
        var samples = await sample(variant, [problem], ticket.Seed, cancellationToken);
        return AgentAnswer.Decide(variant, suite, problem, samples[0]);
    }
}

/// <summary>
/// Held-out accuracy of agent variants, each scored once (by key) with one sampling seed for all, so two variants are
/// compared on the same problems and the same random stream. Thread-safe.
/// </summary>
public sealed class HeldOutScorer(ITaskSuite suite, IReadOnlyList<TaskProblem> heldOut, SampleProblems sample, long seed)
{
    private readonly Dictionary<string, Task<double>> _scores = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public IReadOnlyList<TaskProblem> Problems => heldOut;

    /// <summary>Variants scored so far.</summary>
    public int Scored
    {
        get
        {
            lock (_gate)
            {
                return _scores.Count;
            }
        }
    }

    public Task<double> ScoreAsync(AgentVariant variant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(variant);
        lock (_gate)
        {
            if (!_scores.TryGetValue(variant.Key, out var score) || score.IsFaulted || score.IsCanceled)
            {
                _scores[variant.Key] = score = Score(variant, cancellationToken);
            }

            return score;
        }
    }

    private async Task<double> Score(AgentVariant variant, CancellationToken cancellationToken)
    {
        var samples = await sample(variant, heldOut, seed, cancellationToken);
        var solved = heldOut.Where((p, i) => AgentAnswer.Decide(variant, suite, p, samples[i]).Solved).Count();
        return heldOut.Count == 0 ? 0 : (double)solved / heldOut.Count;
    }
}

/// <summary>Sampling from a model in this process (tests, benchmarks): one model, one caller at a time.</summary>
public static class LocalPolicy
{
    public static SampleProblems Sampler(Gpt model, CharTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var gate = new Lock();
        return (variant, problems, seed, _) =>
        {
            lock (gate)
            {
                return Task.FromResult(Sample(model, tokenizer, variant, problems, seed));
            }
        };
    }

    /// <summary>Sampling settings of a variant (greedy decoding when its temperature is 0).</summary>
    public static SamplingOptions Options(AgentVariant variant)
    {
        ArgumentNullException.ThrowIfNull(variant);
        return new SamplingOptions((float)variant.Temperature, (float)variant.TopP, variant.Samples, variant.MaxNewTokens);
    }

    private static IReadOnlyList<IReadOnlyList<SampledText>> Sample(
        Gpt model, CharTokenizer tokenizer, AgentVariant variant, IReadOnlyList<TaskProblem> problems, long seed)
    {
        var completions = Learning.Sampler.Sample(model, problems.Select(p => tokenizer.EncodePrompt(p.Prompt)).ToList(), Options(variant), seed);
        var grouped = problems.Select(_ => new List<SampledText>()).ToList();
        foreach (var c in completions)
        {
            grouped[c.PromptIndex].Add(new SampledText(tokenizer.Decode(c.Tokens), c.Stopped, c.MeanLogProb));
        }

        return grouped;
    }
}
