using System.Diagnostics;
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
/// A whole SMART experiment in this process: the base policy trained on the formats (round 0), then rounds of
/// episodes on fresh training problems, the selector's statistics and baselines, a REINFORCE step on the strategy token
/// (reward = correct - penalty x cost, minus the family's baseline), refinement successes fed back as first choices,
/// supervised training on verified solutions; after each round, every arm on the held-out problems. The calculator and
/// the selector are handed in, so the CLI runs them as grains and the tests in process.
/// </summary>
public sealed class SmartRun : IDisposable
{
    private readonly Gpt _model;
    private readonly SftTrainer _rlTrainer;
    private readonly SftTrainer _sftTrainer;
    private readonly IStrategySelector _selector;
    private readonly EpisodeRunner _runner;
    private readonly List<TrainingExample> _baseFormats = [];
    private readonly List<TrainingExample> _basePrior = [];

    public SmartRun(SmartSpec spec, IArithmeticTool tool, IStrategySelector selector, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(selector);
        Spec = spec;
        Log = log;
        _selector = selector;
        Costs = spec.Costs.ToModel();
        Mix = new TaskMix(spec.Seed, spec.Families, spec.Eval.HeldOutPerFamily);
        var tokenizer = SmartPolicy.NewTokenizer();
        var calculator = new ArithmeticInterpreter(spec.Tool.ToLimits());
        var prior = new Random(unchecked((int)spec.Seed) ^ 0x534d);
        var prompts = new StrategyPrompts(tokenizer);
        foreach (var problem in Mix.Training(spec.Base.ProblemsPerFamily, stream: 1))
        {
            foreach (var strategy in Strategies.FirstChoices)
            {
                if (VerifiedCanonical(strategy, problem, calculator) is { } solution)
                {
                    _baseFormats.Add(prompts.SolutionExample(problem, strategy, solution));
                }
            }

            _basePrior.Add(prompts.ChoiceExample(problem, Strategies.FirstChoices[prior.Next(Strategies.FirstChoices.Count)]));
        }

        var context = _baseFormats.Max(e => e.Prompt.Length + e.Completion.Length) + 4;
        var config = new GptConfig(tokenizer.VocabSize, context, spec.Model.Layers, spec.Model.Heads, spec.Model.Width);
        _model = new Gpt(config, TorchDevices.Select(spec.Device), spec.Seed);
        Policy = new SmartPolicy(_model, tokenizer);
        _runner = new EpisodeRunner(Policy, tool, context);
        _rlTrainer = new SftTrainer(_model, new TrainerOptions(LearningRate: spec.Smart.RlLearningRate, BatchSize: 64));
        _sftTrainer = new SftTrainer(_model, new TrainerOptions(LearningRate: spec.Smart.SftLearningRate, BatchSize: spec.Base.BatchSize));
    }

    public SmartSpec Spec { get; }

    public TaskMix Mix { get; }

    public SmartPolicy Policy { get; }

    public CostModel Costs { get; }

    public int BaseExamples => _baseFormats.Count + _basePrior.Count;

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

    /// <summary>Round 0 (the base), then every RL round; <paramref name="roundDone"/> sees each round as it ends.</summary>
    public async Task<SmartResults> RunAsync(Action<SmartRound>? roundDone = null, CancellationToken cancellationToken = default)
    {
        var wall = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        TrainBase(cancellationToken);
        var baseSeconds = clock.Elapsed.TotalSeconds;
        var rounds = new List<SmartRound>();
        var round0 = new SmartRound(0, await EvaluateAsync(0, cancellationToken), null, clock.Elapsed.TotalSeconds);
        rounds.Add(round0);
        roundDone?.Invoke(round0);
        for (var round = 1; round <= Spec.Smart.Rounds; round++)
        {
            clock.Restart();
            var training = await TrainRoundAsync(round, cancellationToken);
            var done = new SmartRound(round, await EvaluateAsync(round, cancellationToken), training, clock.Elapsed.TotalSeconds);
            rounds.Add(done);
            roundDone?.Invoke(done);
        }

        return new SmartResults(Spec.Name, Spec.Families, rounds, await _selector.SnapshotAsync(cancellationToken), baseSeconds, wall.Elapsed.TotalSeconds);
    }

    /// <summary>Round 0: the formats on verified canonical solutions, and a uniform prior on the strategy token.</summary>
    public TrainingReport TrainBase(CancellationToken cancellationToken = default)
    {
        using var trainer = new SftTrainer(_model, new TrainerOptions(LearningRate: Spec.Base.LearningRate, BatchSize: Spec.Base.BatchSize, WarmupSteps: Math.Min(100, Spec.Base.Steps / 10)));
        var report = trainer.Train([.. _baseFormats, .. _basePrior], Spec.Base.Steps, Spec.Seed, (step, loss) =>
        {
            if (step % 250 == 0)
            {
                Log?.Invoke($"base: step {step}/{Spec.Base.Steps}, loss {loss:F4}");
            }
        }, cancellationToken);
        Log?.Invoke($"base: {_baseFormats.Count} format examples, {_basePrior.Count} prior examples, {report.Steps} steps, mean loss {report.MeanLoss:F4}, last {report.LastLoss:F4}, {report.Elapsed.TotalSeconds:F0} s");
        return report;
    }

    /// <summary>Every arm on the held-out problems.</summary>
    public async Task<IReadOnlyList<ArmFigures>> EvaluateAsync(int round, CancellationToken cancellationToken = default)
    {
        var heldOut = Mix.HeldOut();
        var arms = new List<ArmFigures>();
        foreach (var rule in Arms())
        {
            var episodes = await _runner.RunAsync(heldOut, rule, Spec.Seed + (round * 7_919) + 13, cancellationToken);
            arms.Add(ArmFigures.From(rule.Name, episodes, Costs));
        }

        return arms;
    }

    /// <summary>One RL round: episodes, statistics, the policy-gradient step, feedback and verified-solution training.</summary>
    public async Task<TrainingFigures> TrainRoundAsync(int round, CancellationToken cancellationToken = default)
    {
        var schedule = await _selector.ScheduleAsync(round, cancellationToken);
        var problems = Mix.Training(Spec.Smart.EpisodesPerFamily, stream: 1_000 + round);
        var rule = new ChoiceRule(ChoiceKind.PolicySample, Refinements: Spec.Smart.MaxRefinements, Epsilon: schedule.Epsilon, Temperature: schedule.Temperature);
        var episodes = await _runner.RunAsync(problems, rule, Spec.Seed + (round * 104_729), cancellationToken);
        var outcomes = episodes.Select(e => new EpisodeOutcome(
            e.Problem.Family, e.First.Strategy, e.FirstCorrect, Costs.Reward(e.First, e.FirstCorrect), e.FirstCost(Costs), e.FinalCorrect)).ToList();
        var baselines = await _selector.RecordAsync(round, outcomes, cancellationToken);
        var (gradient, feedback) = PolicyGradientExamples(Policy, episodes, baselines, Costs, Spec.Smart.FeedbackWeight);
        var rl = Spec.Smart.RlSteps > 0 && gradient.Count > 0
            ? _rlTrainer.Train(gradient, Spec.Smart.RlSteps, Spec.Seed + round, cancellationToken: cancellationToken).MeanLoss
            : double.NaN;

        var verified = episodes.SelectMany(e => e.Attempts.Where(a => a.IsCorrect(e.Problem)).Select(a => Policy.SolutionExample(e.Problem, a.Strategy, a.Solution))).ToList();
        var replayCount = Spec.Smart.Replay >= 1 ? _baseFormats.Count : (int)Math.Round(verified.Count * Spec.Smart.Replay / (1 - Spec.Smart.Replay));
        var replayRandom = new Random(unchecked((int)Spec.Seed + round));
        var sftData = verified.Concat(Enumerable.Range(0, replayCount).Select(_ => _baseFormats[replayRandom.Next(_baseFormats.Count)])).ToList();
        var sft = Spec.Smart.SftSteps > 0 && sftData.Count > 0
            ? _sftTrainer.Train(sftData, Spec.Smart.SftSteps, Spec.Seed + round + 1, cancellationToken: cancellationToken).MeanLoss
            : double.NaN;
        var figures = new TrainingFigures(schedule.Epsilon, episodes.Count, outcomes.Average(o => o.FirstReward), episodes.Average(e => e.FirstCorrect ? 1.0 : 0),
            episodes.Average(e => e.FinalCorrect ? 1.0 : 0), gradient.Count, feedback, verified.Count, rl, sft);
        Log?.Invoke($"round {round}: {episodes.Count} episodes (epsilon {schedule.Epsilon:F2}), first-attempt {figures.FirstAccuracy:P1}, after refinement {figures.FinalAccuracy:P1}, " +
            $"mean reward {figures.MeanFirstReward:F3}; {gradient.Count} policy-gradient examples ({feedback} from refinement), {verified.Count} verified solutions");
        return figures;
    }

    /// <summary>
    /// REINFORCE with a baseline on the strategy token: each episode's first choice weighted by its advantage (first-attempt
    /// reward minus its family's baseline); a strategy that succeeded in refinement after a failed first choice is fed back
    /// as a first choice, weighted by <paramref name="feedbackWeight"/> times its own (positive) advantage.
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
        foreach (var e in episodes)
        {
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

    public void Dispose()
    {
        _rlTrainer.Dispose();
        _sftTrainer.Dispose();
        _model.Dispose();
    }
}
