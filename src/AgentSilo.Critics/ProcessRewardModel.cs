using AgentSilo.Learning;

namespace AgentSilo.Critics;

/// <summary>How a solution's step scores become one score.</summary>
public enum StepAggregation
{
    /// <summary>The weakest step (a chain is as good as its worst link).</summary>
    Min,

    /// <summary>The product of the step scores.</summary>
    Product,

    /// <summary>The last step's score.</summary>
    Last,
}

/// <summary>
/// A process reward model, Math-Shepherd style: a small GPT reads the problem and the steps through step i and predicts a
/// label token, <c>Y</c> (the step is right) or <c>N</c>; the step's score is p(Y) / (p(Y) + p(N)). Soft labels are trained
/// as two weighted examples (Y with weight w·y, N with weight w·(1 − y)), which is cross-entropy against the soft target.
/// Not thread-safe.
/// </summary>
public sealed class ProcessRewardModel : IDisposable, IStepScorer
{
    private readonly int _good;
    private readonly int _bad;

    /// <summary>A PRM initialised from <paramref name="model"/>'s weights (a copy: the policy is left as it is).</summary>
    public ProcessRewardModel(Gpt model, CharTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Model = Models.Clone(model);
        Tokenizer = tokenizer;
        _good = tokenizer.Encode("Y")[0];
        _bad = tokenizer.Encode("N")[0];
    }

    public Gpt Model { get; }

    public CharTokenizer Tokenizer { get; }

    /// <summary>
    /// The training examples of a set of annotations (steps past a solution's end and zero weights skipped). With
    /// <paramref name="balance"/>, the wrong-step (N) examples are weighted up so that both labels carry the same total
    /// weight: right steps outnumber wrong ones several times, and an unbalanced PRM learns to pass everything.
    /// </summary>
    public IReadOnlyList<TrainingExample> Examples(IEnumerable<StepAnnotation> annotations, bool balance = false)
    {
        ArgumentNullException.ThrowIfNull(annotations);
        var examples = new List<TrainingExample>();
        foreach (var annotation in annotations)
        {
            var (problem, steps) = (annotation.Sample.Problem, annotation.Sample.Steps);
            for (var i = 0; i < annotation.Labels.Count && i < steps.Count; i++)
            {
                var prompt = Tokenizer.EncodePrompt(problem.JudgedText(steps, i));
                if (prompt.Length + 1 > Model.Config.ContextLength + 1)
                {
                    break;
                }

                var (good, bad) = (annotation.Weight * annotation.Labels[i], annotation.Weight * (1f - annotation.Labels[i]));
                if (good > 0)
                {
                    examples.Add(new TrainingExample(prompt, [_good], good));
                }

                if (bad > 0)
                {
                    examples.Add(new TrainingExample(prompt, [_bad], bad));
                }
            }
        }

        var (goodTotal, badTotal) = (examples.Where(e => e.Completion[0] == _good).Sum(e => e.Weight), examples.Where(e => e.Completion[0] == _bad).Sum(e => e.Weight));
        return balance && badTotal > 0 && goodTotal > 0
            ? [.. examples.Select(e => e.Completion[0] == _bad ? e with { Weight = e.Weight * goodTotal / badTotal } : e)]
            : examples;
    }

    /// <summary>Trains on <paramref name="examples"/>; with none (every annotation filtered out) the PRM stays as initialised.</summary>
    public TrainingReport Train(IReadOnlyList<TrainingExample> examples, int steps, TrainerOptions options, long seed) =>
        SftTrainer.TrainOnce(Model, examples, steps, options, seed);

    /// <summary>Each step's score (probability that it is right), per solution.</summary>
    public IReadOnlyList<float[]> ScoreSteps(IReadOnlyList<SolutionSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var pairs = new List<(int[] Prompt, int[] Completion)>();
        var owners = new List<(int Sample, int Step)>();
        var scores = new float[samples.Count][];
        for (var s = 0; s < samples.Count; s++)
        {
            var (problem, steps) = (samples[s].Problem, samples[s].Steps);
            scores[s] = new float[steps.Count];
            Array.Fill(scores[s], 0f);
            for (var i = 0; i < steps.Count; i++)
            {
                var prompt = Tokenizer.EncodePrompt(problem.JudgedText(steps, i));
                if (prompt.Length > Model.Config.ContextLength)
                {
                    break; // Too long to judge: scored 0 (the policy never writes such solutions when it is right).
                }

                pairs.Add((prompt, [_good]));
                pairs.Add((prompt, [_bad]));
                owners.Add((s, i));
            }
        }

        var logProbs = SequenceScorer.LogProbs(Model, pairs);
        for (var k = 0; k < owners.Count; k++)
        {
            var (good, bad) = (logProbs[2 * k][0], logProbs[(2 * k) + 1][0]);
            var max = Math.Max(good, bad);
            var (eg, eb) = (Math.Exp(good - max), Math.Exp(bad - max));
            scores[owners[k].Sample][owners[k].Step] = (float)(eg / (eg + eb));
        }

        return scores;
    }

    /// <summary>One score per solution; an empty solution scores 0.</summary>
    public static double Aggregate(IReadOnlyList<float> stepScores, StepAggregation aggregation)
    {
        ArgumentNullException.ThrowIfNull(stepScores);
        if (stepScores.Count == 0)
        {
            return 0;
        }

        return aggregation switch
        {
            StepAggregation.Min => stepScores.Min(),
            StepAggregation.Product => stepScores.Aggregate(1.0, (p, x) => p * x),
            StepAggregation.Last => stepScores[^1],
            _ => throw new ArgumentOutOfRangeException(nameof(aggregation), aggregation, null),
        };
    }

    /// <summary>The PRM's first-error prediction: the first step scored below <paramref name="threshold"/> (null: none).</summary>
    public static int? PredictedFirstError(IReadOnlyList<float> stepScores, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(stepScores);
        for (var i = 0; i < stepScores.Count; i++)
        {
            if (stepScores[i] < threshold)
            {
                return i;
            }
        }

        return stepScores.Count == 0 ? 0 : null;
    }

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// How a PRM's step scores weigh a sample's vote: the solution score (<see cref="Aggregation"/> of its step scores) raised to
/// <see cref="Power"/>. The power is an inverse temperature on the log score: 0 is majority vote, 1 weighs by the score
/// itself, and growing powers approach best-of-N. With <see cref="TieBreak"/>, every sample counts 1 and the score only
/// breaks ties between equally frequent answers (a weight of 1 + score / 1000).
/// </summary>
public sealed record PrmVoteRule(StepAggregation Aggregation, double Power, bool TieBreak = false)
{
    /// <summary>The rules a harness chooses from on its validation problems: majority with PRM tie-breaks, min and product at powers 1 to 8.</summary>
    public static IReadOnlyList<PrmVoteRule> Candidates { get; } =
    [
        new(StepAggregation.Min, 1, TieBreak: true),
        new(StepAggregation.Min, 1), new(StepAggregation.Min, 2), new(StepAggregation.Min, 4), new(StepAggregation.Min, 8),
        new(StepAggregation.Product, 1), new(StepAggregation.Product, 2), new(StepAggregation.Product, 4), new(StepAggregation.Product, 8),
    ];

    public string Name => TieBreak
        ? $"majority, ties by {Aggregation.ToString().ToLowerInvariant()} score"
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Aggregation.ToString().ToLowerInvariant()} score ^ {Power:0.##}");

    /// <summary>The vote weight of a sample with these step scores.</summary>
    public double Weight(IReadOnlyList<float> stepScores)
    {
        var score = ProcessRewardModel.Aggregate(stepScores, Aggregation);
        return TieBreak ? 1 + (score / 1000) : Math.Pow(score, Power);
    }
}

/// <summary>Answer selection over a problem's samples.</summary>
public static class Voting
{
    /// <summary>The most frequent answer (ties: the one seen first); null when no sample has an answer.</summary>
    public static int? Majority(IEnumerable<int?> answers) => Weighted(answers.Select(a => (a, 1.0)));

    /// <summary>The answer with the largest total weight (ties: the one seen first).</summary>
    public static int? Weighted(IEnumerable<(int? Answer, double Weight)> votes)
    {
        ArgumentNullException.ThrowIfNull(votes);
        var totals = new Dictionary<int, (double Total, int First)>();
        var index = 0;
        foreach (var (answer, weight) in votes)
        {
            if (answer is { } a)
            {
                totals[a] = totals.TryGetValue(a, out var t) ? (t.Total + weight, t.First) : (weight, index);
            }

            index++;
        }

        return totals.Count == 0 ? null
            : totals.OrderByDescending(kv => kv.Value.Total).ThenBy(kv => kv.Value.First).First().Key;
    }

    /// <summary>The answer of the highest-weighted sample (ties: the first); null when none has an answer.</summary>
    public static int? BestOfN(IEnumerable<(int? Answer, double Weight)> votes)
    {
        ArgumentNullException.ThrowIfNull(votes);
        int? best = null;
        var bestWeight = double.NegativeInfinity;
        foreach (var (answer, weight) in votes)
        {
            if (answer is not null && weight > bestWeight)
            {
                (best, bestWeight) = (answer, weight);
            }
        }

        return best;
    }
}
