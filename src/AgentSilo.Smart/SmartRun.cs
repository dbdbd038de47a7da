using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using AgentSilo.Learning;

namespace AgentSilo.Smart;

/// <summary>One family's figures for one arm.</summary>
/// <param name="FirstAccuracy">Share right at the first attempt.</param>
/// <param name="FinalAccuracy">Share right after refinement (equal to the first for arms that do not refine).</param>
/// <param name="FirstStrategy">Share of each first strategy (by name).</param>
/// <param name="MeanFirstCost">Mean cost of the first attempt.</param>
/// <param name="MeanTotalCost">Mean cost of the whole episode: every attempt and critique.</param>
public sealed record FamilyFigures(double FirstAccuracy, double FinalAccuracy, IReadOnlyDictionary<string, double> FirstStrategy, double MeanFirstCost, double MeanTotalCost);

/// <summary>An arm on the held-out problems: all families together and each family.</summary>
public sealed record ArmFigures(string Arm, double FirstAccuracy, double FinalAccuracy, double MeanFirstCost, double MeanTotalCost,
    IReadOnlyDictionary<string, FamilyFigures> Families)
{
    public static ArmFigures From(string arm, IReadOnlyList<Episode> episodes, CostModel costs)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        FamilyFigures Figures(IReadOnlyList<Episode> e) => new(
            Mean(e, x => x.FirstCorrect ? 1 : 0),
            Mean(e, x => x.FinalCorrect ? 1 : 0),
            Strategies.FirstChoices.ToDictionary(Strategies.Name, s => Mean(e, x => x.First.Strategy == s ? 1 : 0)),
            Mean(e, x => x.FirstCost(costs)),
            Mean(e, x => x.TotalCost(costs)));
        var all = Figures(episodes);
        return new ArmFigures(arm, all.FirstAccuracy, all.FinalAccuracy, all.MeanFirstCost, all.MeanTotalCost,
            episodes.GroupBy(e => e.Problem.Family).ToDictionary(g => g.Key, g => Figures([.. g])));
    }

    private static double Mean(IReadOnlyList<Episode> episodes, Func<Episode, double> f) => episodes.Count == 0 ? 0 : episodes.Average(f);
}

/// <summary>What a training round did.</summary>
public sealed record TrainingFigures(double Epsilon, int Episodes, double MeanFirstReward, double FirstAccuracy, double FinalAccuracy,
    int PolicyGradientExamples, int Feedback, int Verified, double RlLoss, double SftLoss);

/// <summary>One round: the held-out figures of every arm after it, and (rounds 1 and up) what its training did.</summary>
public sealed record SmartRound(int Round, IReadOnlyList<ArmFigures> Arms, TrainingFigures? Training, double Seconds)
{
    public ArmFigures Arm(string name) => Arms.First(a => a.Arm == name);
}

/// <summary>A whole run's results.</summary>
public sealed record SmartResults(string Name, IReadOnlyList<string> Families, IReadOnlyList<SmartRound> Rounds, SelectorSnapshot Selector, double BaseSeconds, double WallSeconds)
{
    public static readonly IReadOnlyList<string> FixedArms = [.. Strategies.FirstChoices.Select(Strategies.Name)];

    /// <summary>The best fixed strategy's first-attempt accuracy in the last round.</summary>
    public ArmFigures BestFixed => FixedArms.Select(a => Rounds[^1].Arm(a)).OrderByDescending(a => a.FirstAccuracy).First();
}

/// <summary>
/// What a SMART run has done so far, written after every round so that a crashed run resumes from its last completed
/// round: the rounds' figures, the policy version the next round samples from, and the base training's time.
/// </summary>
public sealed record SmartRunState(string Name, IReadOnlyList<SmartRound> Rounds, SmartPublished Published, double BaseSeconds, long? Seed = null)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = false,
    };

    /// <summary>Writes the state atomically (a temporary file, then a rename).</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static SmartRunState Load(string path) =>
        JsonSerializer.Deserialize<SmartRunState>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: empty SMART run state");
}

/// <summary>
/// A whole SMART experiment: the base policy trained on the formats (round 0), then rounds of episodes on fresh training
/// problems, the selector's statistics and baselines, the REINFORCE step on the strategy tokens (reward = correct -
/// penalty x cost, minus the family's baseline; first choices and revision choices), refinement successes fed back as
/// first choices, supervised training on verified solutions; after each round, every arm on the held-out problems.
/// The updates are the trainer's (<see cref="ISmartTrainer"/>: the trainer grain in the CLI): this loop hands it token ids
/// and samples from the version it publishes. The calculator, the critic and the selector are handed in too, so the CLI
/// runs them as grains and the tests in process.
/// </summary>
public sealed class SmartRun : IDisposable
{
    private readonly ISmartTrainer _trainer;
    private readonly IStrategySelector _selector;
    private readonly IArithmeticTool _tool;
    private readonly IStrategyCritic _critic;
    private readonly CharTokenizer _tokenizer = SmartPolicy.NewTokenizer();
    private Gpt? _sampler;
    private EpisodeRunner? _runner;

    public SmartRun(SmartSpec spec, ISmartTrainer trainer, IArithmeticTool tool, IStrategyCritic critic, IStrategySelector selector, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(critic);
        ArgumentNullException.ThrowIfNull(selector);
        Spec = spec;
        Log = log;
        _trainer = trainer;
        _tool = tool;
        _critic = critic;
        _selector = selector;
        Costs = spec.Costs.ToModel();
        Mix = new TaskMix(spec.Seed, spec.Families, spec.Eval.HeldOutPerFamily);
    }

    public SmartSpec Spec { get; }

    public TaskMix Mix { get; }

    /// <summary>The policy the loop samples from: the latest published version.</summary>
    public SmartPolicy Policy { get; private set; } = null!;

    /// <summary>The version <see cref="Policy"/> was loaded from.</summary>
    public SmartPublished? Published { get; private set; }

    public CostModel Costs { get; }

    private Action<string>? Log { get; }

    /// <summary>The arms compared on the held-out problems after every round, all in the same run on the same policy.</summary>
    public IReadOnlyList<ChoiceRule> Arms()
    {
        var r = Spec.Smart.MaxRefinements;
        return
        [
            new ChoiceRule(ChoiceKind.Policy, Refinements: r),
            .. Strategies.FirstChoices.Select(s => new ChoiceRule(ChoiceKind.Fixed, s)),
            new ChoiceRule(ChoiceKind.Random, Refinements: r),
            new ChoiceRule(ChoiceKind.AlwaysRefine, Refinements: r),
        ];
    }

    /// <summary>
    /// Round 0 (the base), then every RL round; <paramref name="roundDone"/> sees each round as it ends, and the run's state
    /// is written to <paramref name="statePath"/> (when given) after it. With <paramref name="resume"/>, the run continues
    /// after the resumed state's last round, from the version it published.
    /// </summary>
    public async Task<SmartResults> RunAsync(Action<SmartRound>? roundDone = null, string? statePath = null, SmartRunState? resume = null,
        CancellationToken cancellationToken = default)
    {
        var wall = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var rounds = new List<SmartRound>();
        double baseSeconds;
        await _trainer.InitializeAsync(resume?.Published, cancellationToken);
        if (resume is null)
        {
            await LoadAsync(await _trainer.TrainAsync(SmartUpdate.Base, cancellationToken));
            Log?.Invoke($"base: {Spec.Base.Steps} steps, mean loss {Published!.SftLoss:F4}, {clock.Elapsed.TotalSeconds:F0} s; published version {Published.Version}");
            baseSeconds = clock.Elapsed.TotalSeconds;
            var round0 = new SmartRound(0, await EvaluateAsync(0, cancellationToken), null, clock.Elapsed.TotalSeconds);
            Done(round0);
        }
        else
        {
            if (resume.Name != Spec.Name)
            {
                throw new ArgumentException($"the state is of experiment '{resume.Name}', not '{Spec.Name}'", nameof(resume));
            }

            await LoadAsync(resume.Published);
            baseSeconds = resume.BaseSeconds;
            rounds.AddRange(resume.Rounds);
            Log?.Invoke($"resumed after round {rounds[^1].Round} from version {resume.Published.Version}");
        }

        for (var round = rounds[^1].Round + 1; round <= Spec.Smart.Rounds; round++)
        {
            clock.Restart();
            var training = await TrainRoundAsync(round, cancellationToken);
            Done(new SmartRound(round, await EvaluateAsync(round, cancellationToken), training, clock.Elapsed.TotalSeconds));
        }

        return new SmartResults(Spec.Name, Spec.Families, rounds, await _selector.SnapshotAsync(cancellationToken), baseSeconds, wall.Elapsed.TotalSeconds);

        void Done(SmartRound done)
        {
            rounds.Add(done);
            if (statePath is not null)
            {
                new SmartRunState(Spec.Name, [.. rounds], Published!, baseSeconds, Spec.Seed).Save(statePath);
            }

            roundDone?.Invoke(done);
        }
    }

    /// <summary>Samples from <paramref name="published"/> from now on: its checkpoint, loaded (and its hash checked).</summary>
    private Task LoadAsync(SmartPublished published)
    {
        var loaded = Checkpoint.Load(published.CheckpointPath, TorchDevices.Select(Spec.Device), published.Sha256);
        _sampler?.Dispose();
        _sampler = loaded.Model;
        Policy = new SmartPolicy(_sampler, _tokenizer);
        _runner = new EpisodeRunner(Policy, _tool, _critic, _sampler.Config.ContextLength);
        Published = published;
        return Task.CompletedTask;
    }

    /// <summary>Every arm on the held-out problems.</summary>
    public async Task<IReadOnlyList<ArmFigures>> EvaluateAsync(int round, CancellationToken cancellationToken = default)
    {
        var heldOut = Mix.HeldOut();
        var arms = new List<ArmFigures>();
        foreach (var rule in Arms())
        {
            var episodes = await _runner!.RunAsync(heldOut, rule, Spec.Seed + (round * 7_919) + 13, cancellationToken);
            arms.Add(ArmFigures.From(rule.Name, episodes, Costs));
        }

        return arms;
    }

    /// <summary>
    /// One RL round: episodes on the latest version, statistics, then the trainer's update (the policy-gradient step,
    /// feedback and verified-solution training); the loop samples from the version it publishes.
    /// </summary>
    public async Task<TrainingFigures> TrainRoundAsync(int round, CancellationToken cancellationToken = default)
    {
        var schedule = await _selector.ScheduleAsync(round, cancellationToken);
        var problems = Mix.Training(Spec.Smart.EpisodesPerFamily, stream: 1_000 + round);
        var rule = new ChoiceRule(ChoiceKind.PolicySample, Refinements: Spec.Smart.MaxRefinements, Epsilon: schedule.Epsilon, Temperature: schedule.Temperature);
        var episodes = await _runner!.RunAsync(problems, rule, Spec.Seed + (round * 104_729), cancellationToken);
        var outcomes = episodes.Select(e => new EpisodeOutcome(
            e.Problem.Family, e.First.Strategy, e.FirstCorrect, Costs.Reward(e.First, e.FirstCorrect), e.FirstCost(Costs), e.FinalCorrect)).ToList();
        var baselines = await _selector.RecordAsync(round, outcomes, cancellationToken);
        var (gradient, feedback) = PolicyGradientExamples(Policy, episodes, baselines, Costs, Spec.Smart.FeedbackWeight);
        var verified = episodes.SelectMany(e => e.Attempts.Where(a => a.IsCorrect(e.Problem)).Select(a => Policy.SolutionExample(e.Problem, a.Strategy, a.Solution))).ToList();
        var published = await _trainer.TrainAsync(new SmartUpdate(round, gradient, verified), cancellationToken);
        await LoadAsync(published);
        var figures = new TrainingFigures(schedule.Epsilon, episodes.Count, outcomes.Average(o => o.FirstReward), episodes.Average(e => e.FirstCorrect ? 1.0 : 0),
            episodes.Average(e => e.FinalCorrect ? 1.0 : 0), gradient.Count, feedback, verified.Count, published.RlLoss, published.SftLoss);
        Log?.Invoke($"round {round}: {episodes.Count} episodes (epsilon {schedule.Epsilon:F2}), first-attempt {figures.FirstAccuracy:P1}, after refinement {figures.FinalAccuracy:P1}, " +
            $"mean reward {figures.MeanFirstReward:F3}; {gradient.Count} policy-gradient examples ({feedback} from refinement), {verified.Count} verified solutions; " +
            $"the trainer published version {published.Version}");
        return figures;
    }

    /// <summary>
    /// REINFORCE with a baseline on the strategy token: each episode's first choice weighted by its advantage (first-attempt
    /// reward minus its family's baseline); a strategy that succeeded in refinement after a failed first choice is fed back
    /// as a first choice, weighted by <paramref name="feedbackWeight"/> times its own (positive) advantage. Each revision's
    /// choice is reinforced on its revision state (problem, what was tried, what the critic said) by the revision's reward
    /// minus the mean reward of the family's revisions in these episodes.
    /// </summary>
    public static (List<TrainingExample> Examples, int Feedback) PolicyGradientExamples(
        SmartPolicy policy, IReadOnlyList<Episode> episodes, IReadOnlyDictionary<string, double> baselines, CostModel costs, double feedbackWeight)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(episodes);
        ArgumentNullException.ThrowIfNull(baselines);
        ArgumentNullException.ThrowIfNull(costs);
        var examples = new List<TrainingExample>();
        var feedback = 0;
        var revisionBaselines = episodes
            .SelectMany(e => e.Revisions.Select((_, k) => (e.Problem.Family, Reward: costs.Reward(e.Attempts[k + 1], e.Attempts[k + 1].IsCorrect(e.Problem)))))
            .GroupBy(x => x.Family)
            .ToDictionary(g => g.Key, g => g.Average(x => x.Reward));
        foreach (var e in episodes)
        {
            for (var k = 0; k < e.Revisions.Count && k + 1 < e.Attempts.Count; k++)
            {
                var revision = e.Attempts[k + 1];
                var advantage = costs.Reward(revision, revision.IsCorrect(e.Problem)) - revisionBaselines[e.Problem.Family];
                examples.Add(policy.RevisionExample(e.Revisions[k], revision.Strategy, (float)advantage));
            }

            var baseline = baselines.GetValueOrDefault(e.Problem.Family);
            examples.Add(policy.ChoiceExample(e.Problem, e.First.Strategy, (float)(costs.Reward(e.First, e.FirstCorrect) - baseline)));
            if (!e.FirstCorrect && feedbackWeight > 0 && e.Attempts.Skip(1).FirstOrDefault(a => a.IsCorrect(e.Problem)) is { } found)
            {
                var advantage = costs.Reward(found, correct: true) - baseline;
                if (advantage > 0)
                {
                    examples.Add(policy.ChoiceExample(e.Problem, found.Strategy, (float)(feedbackWeight * advantage)));
                    feedback++;
                }
            }
        }

        return (examples, feedback);
    }

    /// <summary>The canonical solution, kept only if reading it back (and running its program) gives the right answer.</summary>
    public static string? VerifiedCanonical(Strategy strategy, SmartProblem problem, ArithmeticInterpreter calculator)
    {
        ArgumentNullException.ThrowIfNull(calculator);
        if (StrategyFormats.Write(strategy, problem, calculator) is not { } solution)
        {
            return null;
        }

        var read = StrategyFormats.Read(strategy, solution);
        var answer = read.Program is { } program ? calculator.Run(program) is { Ok: true } r ? r.Value : (long?)null : read.Answer;
        return answer == problem.Answer ? solution : null;
    }

    public void Dispose() => _sampler?.Dispose();
}
