using AgentSilo.Learning;
using AgentSilo.Tasks;

namespace AgentSilo.Evolution;

/// <summary>
/// What each round of an experiment does, derived from its spec alone: the problems, the sampling settings, the
/// judging rule. The grains and the plain in-process loop both follow it, so they do the same work.
/// </summary>
public sealed class Plan
{
    public Plan(ExperimentSpec spec)
    {
        Spec = spec;
        Suite = TaskSuites.Get(spec.Task.Suite);
        Splits = new TaskSplits(Suite, spec.Seed, spec.Eval.ProblemsPerDifficulty);
        Tokenizer = new CharTokenizer(Suite.Alphabet);
    }

    public ExperimentSpec Spec { get; }

    public ITaskSuite Suite { get; }

    public TaskSplits Splits { get; }

    public CharTokenizer Tokenizer { get; }

    /// <summary>The difficulties sampled for training (method.difficulties, else all); the others are out of distribution.</summary>
    public IReadOnlyList<int> TrainingDifficulties => Spec.Method.Difficulties is [var min, var max] ? Range(min, max) : EvalDifficulties;

    /// <summary>True when some round trains or evaluates self-revisions: the context makes room for a draft before the answer.</summary>
    public bool UsesRevisions => Spec.Eval.Revisions > 0 || Objectives.Any(o => o is ObjectiveKind.Srpo or ObjectiveKind.Pit);

    /// <summary>Every objective some round uses.</summary>
    public IReadOnlyList<ObjectiveKind> Objectives => Spec.Train.Schedule ?? [Spec.Train.Objective];

    /// <summary>The objective of round <paramref name="round"/> (1-based; the base round is always supervised).</summary>
    public ObjectiveKind Objective(int round) => round == 0
        ? ObjectiveKind.Sft
        : Spec.Train.Schedule is { Count: > 0 } schedule ? schedule[(round - 1) % schedule.Count] : Spec.Train.Objective;

    /// <summary>Versions a training round publishes (train.publish_every): the unit of train.max_staleness.</summary>
    public int PublicationsPerRound => Staleness.PublicationsPerRound(Spec.Train.StepsPerRound, Spec.Train.PublishEvery);

    public int MinDifficulty => Spec.Task.Difficulties[0];

    public int MaxDifficulty => Spec.Task.Difficulties[1];

    public IReadOnlyList<int> EvalDifficulties => Range(MinDifficulty, MaxDifficulty);

    public IReadOnlyList<int> BaseDifficulties => Range(Spec.Base.Difficulties[0], Spec.Base.Difficulties[1]);

    public SelectionKind Selection => Spec.Method.Selection ?? (Spec.Method.Kind == MethodKind.Star ? SelectionKind.Verifier : SelectionKind.Majority);

    /// <summary>The length filter's fraction; the curriculum uses one by default (its typical error is a truncated answer).</summary>
    public double LengthFilter => Spec.Method.LengthFilter ?? (Spec.Method.Kind == MethodKind.Curriculum ? 1.0 : 0.0);

    /// <summary>Tokens a sequence at this difficulty needs: Bos, the longest prompt, the longest answer, Eos.</summary>
    public static int ContextNeeded(ITaskSuite suite, int difficulty) =>
        1 + suite.MaxPromptLength(difficulty) + suite.MaxAnswerLength(difficulty) + 1;

    public GptConfig ModelConfig()
    {
        var (first, last) = RunTokens(Tokenizer);
        return new(
            Tokenizer.VocabSize,
            Spec.Model.Context > 0 ? Spec.Model.Context : ContextNeeded(Suite, MaxDifficulty) + (UsesRevisions ? Suite.MaxAnswerLength(MaxDifficulty) + 5 : 0),
            Spec.Model.Layers,
            Spec.Model.Heads,
            Spec.Model.Width,
            Spec.Model.Positions,
            first,
            last,
            Spec.Model.MaxPositionOffset);
    }

    /// <summary>
    /// The token ids whose runs abacus positions index: the alphabet's digits and letters, which every built-in suite
    /// lists together and first. (-1, -1) when they are not one contiguous block.
    /// </summary>
    public static (int First, int Last) RunTokens(CharTokenizer tokenizer)
    {
        var ids = tokenizer.Alphabet.Select((c, i) => (c, Id: i + CharTokenizer.FirstCharacterId))
            .Where(x => char.IsLetterOrDigit(x.c)).Select(x => x.Id).ToList();
        return ids.Count > 0 && ids[^1] - ids[0] == ids.Count - 1 ? (ids[0], ids[^1]) : (-1, -1);
    }

    /// <summary>Round 0's (prompt, completion) pairs: the imported base.dataset when the spec names one, else the labelled problems.</summary>
    public IReadOnlyList<(string Prompt, string Completion)> BaseData() => Spec.Base.Dataset is { } dataset
        ? Datasets.DatasetImporter.ReadSft(dataset).Select(e => (e.Prompt, e.Completion)).ToList()
        : BaseProblems().Select(p => (p.Prompt, p.Answer)).ToList();

    /// <summary>Round 0's training examples (see <see cref="BaseData"/>).</summary>
    public IReadOnlyList<TrainingExample> BaseExamples() =>
        BaseData().Select(x => new TrainingExample(Tokenizer.EncodePrompt(x.Prompt), Tokenizer.EncodeCompletion(x.Completion))).ToList();

    /// <summary>The labelled problems of round 0 (training split only).</summary>
    public IReadOnlyList<TaskProblem> BaseProblems() => Splits.Training(BaseDifficulties, Spec.Base.Examples, stream: 0);

    /// <summary>
    /// The difficulty a curriculum round (1-based) self-labels: one step past the labelled base for the first
    /// rounds_per_difficulty rounds, the next step for the next ones, and so on, up to the task's hardest.
    /// </summary>
    public int CurriculumDifficulty(int round) => Math.Min(
        MaxDifficulty,
        Spec.Base.Difficulties[1] + ((((round - 1) / Spec.Method.RoundsPerDifficulty) + 1) * Spec.Method.DifficultyStep));

    /// <summary>
    /// The unlabelled problems the policy samples in round <paramref name="round"/> (1-based): problems_per_round draws,
    /// duplicates dropped (small difficulties have few distinct problems), so each problem is judged once.
    /// </summary>
    public IReadOnlyList<TaskProblem> GenerationProblems(int round) => Splits.Training(
            Spec.Method.Kind == MethodKind.Curriculum ? [CurriculumDifficulty(round)] : TrainingDifficulties,
            Spec.Method.ProblemsPerRound,
            stream: round)
        .DistinctBy(p => p.Id)
        .ToList();

    public SamplingOptions GenerationSampling(IEnumerable<TaskProblem> problems) => new(
        Temperature: (float)Spec.Method.Temperature,
        TopP: (float)Spec.Method.TopP,
        SamplesPerPrompt: Spec.Method.SamplesPerProblem,
        MaxNewTokens: MaxNewTokens(problems));

    public SamplingOptions EvalGreedy(IEnumerable<TaskProblem> problems) => SamplingOptions.Greedy(MaxNewTokens(problems));

    public SamplingOptions EvalSampled(IEnumerable<TaskProblem> problems) => new(
        Temperature: (float)Spec.Eval.Temperature,
        SamplesPerPrompt: Spec.Eval.Samples,
        MaxNewTokens: MaxNewTokens(problems));

    /// <summary>Room for the longest correct answer plus Eos, and a few tokens more, so an over-long answer shows as wrong rather than cut.</summary>
    public int MaxNewTokens(IEnumerable<TaskProblem> problems) =>
        problems.Select(p => Suite.MaxAnswerLength(p.Difficulty)).DefaultIfEmpty(1).Max() + 3;

    public TrainerOptions BaseTrainer() => new(LearningRate: Spec.Base.LearningRate, BatchSize: Spec.Train.BatchSize, WarmupSteps: 100);

    public TrainerOptions RoundTrainer() => new(LearningRate: Spec.Train.LearningRate, BatchSize: Spec.Train.BatchSize);

    /// <summary>A training example for a problem and the answer chosen for it.</summary>
    public TrainingExample Example(TaskProblem problem, string answer) =>
        new(Tokenizer.EncodePrompt(problem.Prompt), Tokenizer.EncodeCompletion(answer));

    /// <summary>
    /// The round's training set: the selected examples, with replay of labelled base data mixed in at the spec's ratio
    /// (replay / (1 - replay) base examples per selected one), so a round cannot forget what the base knew.
    /// </summary>
    public IReadOnlyList<TrainingExample> RoundTrainingSet(IReadOnlyList<TrainingExample> selected, IReadOnlyList<TrainingExample> baseExamples)
    {
        var replay = Spec.Train.Replay;
        if (selected.Count == 0)
        {
            return replay > 0 ? baseExamples : selected;
        }

        if (replay <= 0 || baseExamples.Count == 0)
        {
            return selected;
        }

        var replayCount = replay >= 1 ? baseExamples.Count : (int)Math.Round(selected.Count * replay / (1 - replay));
        var random = new Random(unchecked((int)Spec.Seed) ^ selected.Count);
        var mixed = new List<TrainingExample>(selected);
        for (var i = 0; i < replayCount; i++)
        {
            mixed.Add(baseExamples[random.Next(baseExamples.Count)]);
        }

        return mixed;
    }

    private static int[] Range(int min, int max) => Enumerable.Range(min, max - min + 1).ToArray();
}
