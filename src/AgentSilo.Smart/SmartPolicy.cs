using AgentSilo.Learning;

namespace AgentSilo.Smart;

/// <summary>What the policy reads and writes, as token ids: the prompt is the problem and '=', the output starts with the strategy token.</summary>
public sealed class StrategyPrompts
{
    public StrategyPrompts(CharTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        Tokenizer = tokenizer;
        StrategyTokens = [.. Strategies.FirstChoices.Select(s => tokenizer.Encode(Strategies.Token(s).ToString())[0])];
    }

    public CharTokenizer Tokenizer { get; }

    /// <summary>Token id of each of <see cref="Strategies.FirstChoices"/>, in order.</summary>
    public IReadOnlyList<int> StrategyTokens { get; }

    public int[] ChoicePrompt(SmartProblem problem) => Tokenizer.EncodePrompt(problem.Expression + "=");

    public int[] SolutionPrompt(SmartProblem problem, Strategy strategy) =>
        Tokenizer.EncodePrompt(problem.Expression + "=" + Strategies.Token(strategy));

    /// <summary>The strategy token alone as a training target (no stop token): weight 1 imitates the choice, an advantage reinforces it.</summary>
    public TrainingExample ChoiceExample(SmartProblem problem, Strategy strategy, float weight = 1f) =>
        new(ChoicePrompt(problem), [StrategyTokens[SmartPolicy.Index(strategy)]], weight);

    /// <summary>
    /// The state after failed attempts, as the policy reads it: the problem, '=', then each tried strategy's token followed by
    /// the critic's code (<see cref="Critique.Codes"/>), then '|'. "99999+1=DWTV|": the direct answer was wrong, the calculator said a value was out of range.
    /// </summary>
    public static string RevisionState(SmartProblem problem, IEnumerable<(Strategy Strategy, Critique Critique)> tried)
    {
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(tried);
        return problem.Expression + "=" + string.Concat(tried.Select(t => $"{Strategies.Token(t.Strategy)}{t.Critique.Code}")) + "|";
    }

    public int[] RevisionPrompt(string state) => Tokenizer.EncodePrompt(state);

    /// <summary>The next strategy's token after a revision state, as a training target.</summary>
    public TrainingExample RevisionExample(string state, Strategy strategy, float weight = 1f) =>
        new(RevisionPrompt(state), [StrategyTokens[SmartPolicy.Index(strategy)]], weight);

    /// <summary>A solution in its format, after its strategy token, as a training target.</summary>
    public TrainingExample SolutionExample(SmartProblem problem, Strategy strategy, string solution) =>
        new(SolutionPrompt(problem, strategy), Tokenizer.EncodeCompletion(solution));
}

/// <summary>
/// The policy as SMART uses it: one character-level GPT whose output starts with a strategy token, then the solution in
/// that strategy's format. The prompt is the problem and '='.
/// </summary>
public sealed class SmartPolicy
{
    /// <summary>Digits, the operators, the separators, the strategy tokens, the critique codes and the revision marker '|'.</summary>
    public const string Alphabet = "0123456789+-*()=;DSTC" + Critique.Codes + "|";

    public SmartPolicy(Gpt model, CharTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        Model = model;
        Prompts = new StrategyPrompts(tokenizer);
    }

    public Gpt Model { get; }

    public StrategyPrompts Prompts { get; }

    public CharTokenizer Tokenizer => Prompts.Tokenizer;

    /// <summary>Token id of each of <see cref="Strategies.FirstChoices"/>, in order.</summary>
    public IReadOnlyList<int> StrategyTokens => Prompts.StrategyTokens;

    public static CharTokenizer NewTokenizer() => new(Alphabet);

    public int[] ChoicePrompt(SmartProblem problem) => Prompts.ChoicePrompt(problem);

    public int[] SolutionPrompt(SmartProblem problem, Strategy strategy) => Prompts.SolutionPrompt(problem, strategy);

    public TrainingExample ChoiceExample(SmartProblem problem, Strategy strategy, float weight = 1f) => Prompts.ChoiceExample(problem, strategy, weight);

    public TrainingExample SolutionExample(SmartProblem problem, Strategy strategy, string solution) => Prompts.SolutionExample(problem, strategy, solution);

    public TrainingExample RevisionExample(string state, Strategy strategy, float weight = 1f) => Prompts.RevisionExample(state, strategy, weight);

    /// <summary>
    /// For each problem, the policy's distribution over the first-choice strategies: the strategy token's probabilities
    /// renormalised over the four strategy tokens (other tokens are masked out).
    /// </summary>
    public IReadOnlyList<double[]> StrategyProbabilities(IReadOnlyList<SmartProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return StrategyProbabilities([.. problems.Select(ChoicePrompt)]);
    }

    /// <summary>The distribution over the first-choice strategy tokens after each prompt (a choice prompt or a revision state).</summary>
    public IReadOnlyList<double[]> StrategyProbabilities(IReadOnlyList<int[]> prompts)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0)
        {
            return [];
        }

        var pairs = new List<(int[] Prompt, int[] Completion)>(prompts.Count * StrategyTokens.Count);
        foreach (var prompt in prompts)
        {
            pairs.AddRange(StrategyTokens.Select(t => (prompt, new[] { t })));
        }

        var logProbs = SequenceScorer.LogProbs(Model, pairs);
        var result = new double[prompts.Count][];
        for (var i = 0; i < prompts.Count; i++)
        {
            var row = new double[StrategyTokens.Count];
            var max = double.NegativeInfinity;
            for (var k = 0; k < row.Length; k++)
            {
                row[k] = logProbs[(i * row.Length) + k][0];
                max = Math.Max(max, row[k]);
            }

            var sum = 0.0;
            for (var k = 0; k < row.Length; k++)
            {
                row[k] = Math.Exp(row[k] - max);
                sum += row[k];
            }

            for (var k = 0; k < row.Length; k++)
            {
                row[k] /= sum;
            }

            result[i] = row;
        }

        return result;
    }

    /// <summary>Greedy solutions of each problem with its strategy: the text after the strategy token and the tokens generated.</summary>
    public IReadOnlyList<(string Text, int Tokens, bool Stopped)> Solve(IReadOnlyList<SmartProblem> problems, IReadOnlyList<Strategy> strategies, int maxNewTokens)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(strategies);
        if (problems.Count == 0)
        {
            return [];
        }

        var prompts = problems.Select((p, i) => SolutionPrompt(p, strategies[i])).ToList();
        var completions = Sampler.Sample(Model, prompts, SamplingOptions.Greedy(maxNewTokens), seed: 0);
        return [.. completions.Select(c => (Tokenizer.Decode(c.Tokens), c.Tokens.Length + 1, c.Stopped))];
    }

    public static int Index(Strategy strategy)
    {
        for (var i = 0; i < Strategies.FirstChoices.Count; i++)
        {
            if (Strategies.FirstChoices[i] == strategy)
            {
                return i;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Not a first-choice strategy.");
    }
}
