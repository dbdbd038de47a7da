namespace AgentSilo.Smart;

/// <summary>How an episode's first strategy is chosen, and whether it may refine.</summary>
public enum ChoiceKind
{
    /// <summary>The policy's most likely strategy token (SMART at test time).</summary>
    Policy,

    /// <summary>Drawn from the policy's distribution, with epsilon-uniform exploration (SMART's training episodes).</summary>
    PolicySample,

    /// <summary>Always the same strategy.</summary>
    Fixed,

    /// <summary>Uniform over the strategies (seeded).</summary>
    Random,

    /// <summary>Answer directly, then critique and revise with the policy's next choice until right or out of attempts.</summary>
    AlwaysRefine,
}

/// <summary>An arm of the comparison: how the first strategy is chosen and how many revisions are allowed.</summary>
public sealed record ChoiceRule(ChoiceKind Kind, Strategy Fixed = Strategy.Direct, int Refinements = 0, double Epsilon = 0, double Temperature = 1)
{
    public string Name => Kind switch
    {
        ChoiceKind.Policy => "smart",
        ChoiceKind.PolicySample => "smart-sampled",
        ChoiceKind.Fixed => Strategies.Name(Fixed),
        ChoiceKind.Random => "random",
        ChoiceKind.AlwaysRefine => "always-refine",
        _ => Kind.ToString(),
    };
}

/// <summary>
/// One problem's episode: every attempt, the critique of each critiqued attempt, the first-choice distribution, and the
/// revision state (<see cref="StrategyPrompts.RevisionState"/>) each revision's strategy was chosen from: attempt k + 1
/// was chosen after <paramref name="RevisionStates"/>[k].
/// </summary>
public sealed record Episode(SmartProblem Problem, IReadOnlyList<Attempt> Attempts, IReadOnlyList<Critique> Critiques, double[] FirstProbabilities,
    IReadOnlyList<string>? RevisionStates = null)
{
    public IReadOnlyList<string> Revisions => RevisionStates ?? [];

    public Attempt First => Attempts[0];

    public bool FirstCorrect => First.IsCorrect(Problem);

    public bool FinalCorrect => Attempts[^1].IsCorrect(Problem);

    /// <summary>The first attempt's cost: what answering without refinement costs.</summary>
    public double FirstCost(CostModel costs) => costs.Of(First);

    /// <summary>Everything the episode spent: every attempt and every critique.</summary>
    public double TotalCost(CostModel costs) => Attempts.Sum(costs.Of) + (Critiques.Count * costs.Critique);
}

/// <summary>
/// Runs episodes in batches: the first strategy for every problem at once, one batched greedy decode per attempt, the
/// calculator called for tool programs, then (when the rule allows revisions) the critic on each attempt and a revision
/// with an untried strategy for the wrong ones. The state of a revision is the problem, the strategies tried and what the
/// critic said of each (<see cref="StrategyPrompts.RevisionState"/>); the policy reads it and the next strategy is its
/// most likely (or, in training, drawn) untried one.
/// </summary>
public sealed class EpisodeRunner(SmartPolicy policy, IArithmeticTool tool, IStrategyCritic critic, int maxNewTokens)
{
    public async Task<IReadOnlyList<Episode>> RunAsync(IReadOnlyList<SmartProblem> problems, ChoiceRule rule, long seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(rule);
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var probabilities = policy.StrategyProbabilities(problems);
        var attempts = problems.Select(_ => new List<Attempt>()).ToArray();
        var critiques = problems.Select(_ => new List<Critique>()).ToArray();
        var states = problems.Select(_ => new List<string>()).ToArray();
        var tried = problems.Select(_ => new HashSet<Strategy>()).ToArray();
        var next = new Strategy?[problems.Count];
        for (var i = 0; i < problems.Count; i++)
        {
            next[i] = First(rule, probabilities[i], random);
        }

        var refinements = rule.Kind == ChoiceKind.Fixed ? 0 : rule.Refinements;
        for (var round = 0; round <= refinements; round++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var active = Enumerable.Range(0, problems.Count).Where(i => next[i] is not null).ToList();
            if (active.Count == 0)
            {
                break;
            }

            var batch = active.Select(i => problems[i]).ToList();
            var strategies = active.Select(i => next[i]!.Value).ToList();
            var made = await AttemptAsync(batch, strategies, cancellationToken);
            for (var k = 0; k < active.Count; k++)
            {
                attempts[active[k]].Add(made[k]);
                tried[active[k]].Add(strategies[k]);
                next[active[k]] = null;
            }

            if (round == refinements)
            {
                break;
            }

            var judged = await critic.JudgeAsync(batch, made, cancellationToken);
            var revising = new List<int>();
            for (var k = 0; k < active.Count; k++)
            {
                var i = active[k];
                critiques[i].Add(judged[k]);
                if (!judged[k].Correct && tried[i].Count < Strategies.FirstChoices.Count)
                {
                    revising.Add(i);
                }
            }

            // The revision state: the problem, what was tried and what the critic said; the policy reads it to choose again.
            var revisionStates = revising.Select(i => StrategyPrompts.RevisionState(problems[i], attempts[i].Zip(critiques[i], (a, c) => (a.Strategy, c)))).ToList();
            var revisionProbabilities = policy.StrategyProbabilities([.. revisionStates.Select(policy.Prompts.RevisionPrompt)]);
            for (var j = 0; j < revising.Count; j++)
            {
                var i = revising[j];
                states[i].Add(revisionStates[j]);
                next[i] = Revise(rule, revisionProbabilities[j], tried[i], random);
            }
        }

        return [.. problems.Select((p, i) => new Episode(p, attempts[i], critiques[i], probabilities[i], states[i]))];
    }

    /// <summary>Executes one attempt per problem: decode, read the format, run the calculator on programs.</summary>
    public async Task<IReadOnlyList<Attempt>> AttemptAsync(IReadOnlyList<SmartProblem> problems, IReadOnlyList<Strategy> strategies, CancellationToken cancellationToken = default)
    {
        var solved = policy.Solve(problems, strategies, maxNewTokens);
        var reads = solved.Select((s, i) => s.Stopped
            ? StrategyFormats.Read(strategies[i], s.Text)
            : new SolutionRead(null, null, $"{Strategies.Name(strategies[i])}: no stop token within {maxNewTokens} tokens")).ToList();
        var programs = reads.Select((r, i) => (r.Program, i)).Where(x => x.Program is not null).ToList();
        var results = programs.Count == 0 ? [] : await tool.RunAsync([.. programs.Select(x => x.Program!)], cancellationToken);
        var byIndex = programs.Select((x, k) => (x.i, results[k])).ToDictionary(x => x.i, x => x.Item2);
        var made = new Attempt[problems.Count];
        for (var i = 0; i < problems.Count; i++)
        {
            var (text, tokens, _) = solved[i];
            var read = reads[i];
            if (byIndex.TryGetValue(i, out var result))
            {
                made[i] = result.Ok
                    ? new Attempt(strategies[i], text, result.Value, null, tokens, 1)
                    : new Attempt(strategies[i], text, null, "tool error: " + result.Error, tokens, 1);
            }
            else
            {
                made[i] = new Attempt(strategies[i], text, read.Answer, read.Error, tokens, 0);
            }
        }

        return made;
    }

    private static Strategy First(ChoiceRule rule, double[] probabilities, Random random) => rule.Kind switch
    {
        ChoiceKind.Policy => Strategies.FirstChoices[ArgMax(probabilities, _ => true)],
        ChoiceKind.PolicySample => random.NextDouble() < rule.Epsilon
            ? Strategies.FirstChoices[random.Next(Strategies.FirstChoices.Count)]
            : Strategies.FirstChoices[Draw(probabilities, rule.Temperature, _ => true, random)],
        ChoiceKind.Fixed => rule.Fixed,
        ChoiceKind.Random => Strategies.FirstChoices[random.Next(Strategies.FirstChoices.Count)],
        ChoiceKind.AlwaysRefine => Strategy.Direct,
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    private static Strategy? Revise(ChoiceRule rule, double[] probabilities, HashSet<Strategy> tried, Random random)
    {
        bool Untried(int k) => !tried.Contains(Strategies.FirstChoices[k]);
        if (!Enumerable.Range(0, probabilities.Length).Any(Untried))
        {
            return null;
        }

        return rule.Kind switch
        {
            ChoiceKind.PolicySample => Strategies.FirstChoices[Draw(probabilities, rule.Temperature, Untried, random)],
            ChoiceKind.Random => Strategies.FirstChoices[RandomUntried(probabilities.Length, Untried, random)],
            _ => Strategies.FirstChoices[ArgMax(probabilities, Untried)],
        };
    }

    private static int ArgMax(double[] p, Func<int, bool> allowed)
    {
        var best = -1;
        for (var k = 0; k < p.Length; k++)
        {
            if (allowed(k) && (best < 0 || p[k] > p[best]))
            {
                best = k;
            }
        }

        return best;
    }

    private static int Draw(double[] p, double temperature, Func<int, bool> allowed, Random random)
    {
        var t = Math.Max(temperature, 1e-3);
        var weights = p.Select((x, k) => allowed(k) ? Math.Pow(Math.Max(x, 1e-12), 1 / t) : 0).ToArray();
        var u = random.NextDouble() * weights.Sum();
        for (var k = 0; k < weights.Length; k++)
        {
            u -= weights[k];
            if (u <= 0 && weights[k] > 0)
            {
                return k;
            }
        }

        return ArgMax(p, allowed);
    }

    private static int RandomUntried(int count, Func<int, bool> allowed, Random random)
    {
        var options = Enumerable.Range(0, count).Where(allowed).ToList();
        return options[random.Next(options.Count)];
    }
}
