using AgentSilo.Learning;
using AgentSilo.Learning.Objectives;

namespace AgentSilo.Smart;

/// <summary>
/// What one SMART update trains on, as token ids (no tensors): the policy-gradient examples on strategy tokens (each
/// weighted by its advantage) and the verified solutions. Round 0 is the base training and carries nothing.
/// </summary>
public sealed record SmartUpdate(int Round, IReadOnlyList<TrainingExample> PolicyGradient, IReadOnlyList<TrainingExample> Verified)
{
    public static SmartUpdate Base { get; } = new(0, [], []);
}

/// <summary>A published policy version: its checkpoint, and what the update that made it reported.</summary>
/// <param name="Version">Round + 1: version 1 is the base.</param>
/// <param name="CheckpointPath">The checkpoint the loop samples from.</param>
/// <param name="Sha256">The checkpoint's hash.</param>
/// <param name="RlLoss">Mean REINFORCE loss of the update (NaN: none).</param>
/// <param name="SftLoss">Mean supervised loss of the update (NaN: none).</param>
/// <param name="Steps">Optimiser steps the update took.</param>
public sealed record SmartPublished(int Version, string CheckpointPath, string Sha256, double RlLoss, double SftLoss, int Steps);

/// <summary>
/// Does SMART's updates and publishes each new policy version: the trainer grain (the CLI), or this process (tests).
/// Updates run off the caller's thread; the caller waits for the published version and samples from it.
/// </summary>
public interface ISmartTrainer
{
    /// <summary>Builds the learner: fresh from the spec's seed, or from <paramref name="resumeFrom"/>'s checkpoint.</summary>
    Task InitializeAsync(SmartPublished? resumeFrom, CancellationToken cancellationToken = default);

    /// <summary>Runs the update (round 0: the base) and returns the version it published.</summary>
    Task<SmartPublished> TrainAsync(SmartUpdate update, CancellationToken cancellationToken = default);
}

/// <summary>
/// The learner side of SMART, which the trainer grain runs: the policy's weights, round 0's data (every format on verified
/// canonical solutions, a uniform prior on the strategy token after each problem and after a revision state of it) and the optimisers.
/// An update is a REINFORCE step (<see cref="ReinforceObjective"/> over weighted <see cref="PolicySample"/>s: the strategy
/// tokens, weighted by their advantages) then supervised training on the verified solutions, mixed with replayed base data.
/// Not thread-safe: one learner, one thread.
/// </summary>
public sealed class SmartLearner : IDisposable
{
    private readonly List<TrainingExample> _baseFormats = [];
    private readonly List<TrainingExample> _basePrior = [];
    private readonly ObjectiveTrainer<PolicySample> _rlTrainer;
    private readonly SftTrainer _sftTrainer;

    /// <param name="spec">The experiment.</param>
    /// <param name="resumed">A model loaded from a checkpoint of this experiment (owned by the learner from now on); null: fresh.</param>
    public SmartLearner(SmartSpec spec, Gpt? resumed = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        var mix = new TaskMix(spec.Seed, spec.Families, spec.Eval.HeldOutPerFamily);
        Tokenizer = SmartPolicy.NewTokenizer();
        var calculator = new ArithmeticInterpreter(spec.Tool.ToLimits());
        var prior = new Random(unchecked((int)spec.Seed) ^ 0x534d);
        var prompts = new StrategyPrompts(Tokenizer);
        foreach (var problem in mix.Training(spec.Base.ProblemsPerFamily, stream: 1))
        {
            foreach (var strategy in Strategies.FirstChoices)
            {
                if (SmartRun.VerifiedCanonical(strategy, problem, calculator) is { } solution)
                {
                    _baseFormats.Add(prompts.SolutionExample(problem, strategy, solution));
                }
            }

            _basePrior.Add(prompts.ChoiceExample(problem, Strategies.FirstChoices[prior.Next(Strategies.FirstChoices.Count)]));
            var failed = Strategies.FirstChoices[prior.Next(Strategies.FirstChoices.Count)];
            var untried = Strategies.FirstChoices.Where(s => s != failed).ToList();
            var state = StrategyPrompts.RevisionState(problem, [(failed, PriorCritique(failed, problem, calculator))]);
            _basePrior.Add(prompts.RevisionExample(state, untried[prior.Next(untried.Count)]));
        }

        var context = _baseFormats.Concat(_basePrior).Max(e => e.Prompt.Length + e.Completion.Length) + 4;
        Config = new GptConfig(Tokenizer.VocabSize, context, spec.Model.Layers, spec.Model.Heads, spec.Model.Width);
        Model = resumed ?? new Gpt(Config, TorchDevices.Select(spec.Device), spec.Seed);
        _rlTrainer = new ObjectiveTrainer<PolicySample>(Model, new TrainerOptions(LearningRate: spec.Smart.RlLearningRate, BatchSize: 64), new ReinforceObjective());
        _sftTrainer = new SftTrainer(Model, new TrainerOptions(LearningRate: spec.Smart.SftLearningRate, BatchSize: spec.Base.BatchSize));
    }

    public SmartSpec Spec { get; }

    public Gpt Model { get; }

    public GptConfig Config { get; }

    public CharTokenizer Tokenizer { get; }

    public int BaseExamples => _baseFormats.Count + _basePrior.Count;

    /// <summary>Round 0: the formats on verified canonical solutions, and a uniform prior on the strategy token.</summary>
    public TrainingReport TrainBase(Action<int, double>? progress = null, CancellationToken cancellationToken = default)
    {
        using var trainer = new SftTrainer(Model, new TrainerOptions(
            LearningRate: Spec.Base.LearningRate, BatchSize: Spec.Base.BatchSize, WarmupSteps: Math.Min(100, Spec.Base.Steps / 10)));
        return trainer.Train([.. _baseFormats, .. _basePrior], Spec.Base.Steps, Spec.Seed, progress, cancellationToken);
    }

    /// <summary>
    /// Round r &gt;= 1: the REINFORCE step on the strategy tokens, then supervised steps on the verified solutions with replayed
    /// base formats (smart.replay of the mix). Returns (REINFORCE loss, supervised loss, steps); a loss is NaN where no step ran.
    /// </summary>
    public (double RlLoss, double SftLoss, int Steps) Update(SmartUpdate update, Action<int, double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var round = update.Round;
        var s = Spec.Smart;
        var gradient = update.PolicyGradient.Select(e => new PolicySample(e.Prompt, e.Completion, e.Weight)).ToList();
        var rl = s.RlSteps > 0 && gradient.Count > 0
            ? _rlTrainer.Train(gradient, s.RlSteps, Spec.Seed + round, progress, cancellationToken)
            : null;

        var replayCount = s.Replay >= 1 ? _baseFormats.Count : (int)Math.Round(update.Verified.Count * s.Replay / (1 - s.Replay));
        var replayRandom = new Random(unchecked((int)Spec.Seed + round));
        var sftData = update.Verified.Concat(Enumerable.Range(0, replayCount).Select(_ => _baseFormats[replayRandom.Next(_baseFormats.Count)])).ToList();
        var rlSteps = rl?.Steps ?? 0;
        var sft = s.SftSteps > 0 && sftData.Count > 0
            ? _sftTrainer.Train(sftData, s.SftSteps, Spec.Seed + round + 1, progress is null ? null : (step, loss) => progress(rlSteps + step, loss), cancellationToken)
            : null;
        return (rl?.MeanLoss ?? double.NaN, sft?.MeanLoss ?? double.NaN, rlSteps + (sft?.Steps ?? 0));
    }

    /// <summary>
    /// What the critic would say of a failed first attempt in the prior's revision states: the calculator's own refusal of
    /// the expression for the tool, "malformed" for a scratchpad on anything but a sum, otherwise a wrong answer.
    /// </summary>
    private static Critique PriorCritique(Strategy failed, SmartProblem problem, ArithmeticInterpreter calculator)
    {
        var attempt = failed switch
        {
            Strategy.Tool when calculator.Run(problem.Expression) is { Ok: false } refused =>
                new Attempt(failed, problem.Expression, null, "tool error: " + refused.Error, 0, 1),
            Strategy.Scratchpad when StrategyFormats.Write(Strategy.Scratchpad, problem, calculator) is null =>
                new Attempt(failed, "", null, "scratchpad: not a sum", 0, 0),
            _ => new Attempt(failed, "", problem.Answer + 1, null, 0, 0),
        };
        return StrategyCritic.Judge(problem, attempt);
    }

    public void Dispose()
    {
        _rlTrainer.Dispose();
        _sftTrainer.Dispose();
        Model.Dispose();
    }
}

/// <summary>The learner in this process, writing a checkpoint per version under <paramref name="checkpoints"/> (tests, benchmarks).</summary>
public sealed class LocalSmartTrainer(SmartSpec spec, string checkpoints) : ISmartTrainer, IDisposable
{
    private SmartLearner? _learner;

    public Task InitializeAsync(SmartPublished? resumeFrom, CancellationToken cancellationToken = default)
    {
        _learner?.Dispose();
        var resumed = resumeFrom is null ? null : Checkpoint.Load(resumeFrom.CheckpointPath, TorchDevices.Select(spec.Device), resumeFrom.Sha256).Model;
        _learner = new SmartLearner(spec, resumed);
        return Task.CompletedTask;
    }

    public Task<SmartPublished> TrainAsync(SmartUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var learner = _learner ?? throw new InvalidOperationException("the trainer is not initialised");
        var (rl, sft, steps) = update.Round == 0
            ? (double.NaN, learner.TrainBase(cancellationToken: cancellationToken) is var r ? r.MeanLoss : double.NaN, spec.Base.Steps)
            : learner.Update(update, cancellationToken: cancellationToken);
        var version = update.Round + 1;
        var file = Checkpoint.Save(Path.Combine(checkpoints, $"v{version}.ckpt"), learner.Model, learner.Tokenizer,
            new Dictionary<string, string> { ["experiment"] = spec.Name, ["version"] = $"{version}" });
        return Task.FromResult(new SmartPublished(version, file.Path, file.Sha256, rl, sft, steps));
    }

    public void Dispose() => _learner?.Dispose();
}
