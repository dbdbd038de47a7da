using System.Text.RegularExpressions;
using AgentSilo.Learning;
using AgentSilo.Tasks;

namespace AgentSilo.Evolution;

/// <summary>A spec that cannot be run; <see cref="Exception.Message"/> names every field that is wrong and why.</summary>
public sealed class SpecException(string message) : Exception(message);

/// <summary>Reads, validates and writes experiment specs (YAML, or JSON, which is YAML too).</summary>
public static partial class SpecLoader
{
    /// <summary>Reads and validates a spec file.</summary>
    public static ExperimentSpec LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new SpecException($"{path}: no such spec file");
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses and validates spec text; <paramref name="source"/> names it in errors.</summary>
    public static ExperimentSpec Parse(string text, string source = "spec") =>
        SpecText.Parse<ExperimentSpec>(text, source, "the README's spec format", Validate);

    /// <summary>The canonical JSON form (what grains exchange and persist).</summary>
    public static string ToJson(ExperimentSpec spec) => SpecText.ToJson(spec);

    /// <summary>Reads the canonical JSON form back, validated.</summary>
    public static ExperimentSpec FromJson(string json) => SpecText.FromJson<ExperimentSpec>(json, Validate);

    /// <summary>Every problem with the spec, each as "field: what is wrong"; empty when it can run.</summary>
    public static IReadOnlyList<string> Validate(ExperimentSpec spec)
    {
        var errors = new List<string>();
        void Check(bool ok, string field, string problem)
        {
            if (!ok)
            {
                errors.Add($"{field}: {problem}");
            }
        }

        Check(NamePattern().IsMatch(spec.Name), "name", $"must be 1-64 letters, digits, '-', '_' or '.', got '{spec.Name}'");
        Check(spec.Rounds is >= 0 and <= 1000, "rounds", $"must be between 0 and 1000, got {spec.Rounds}");
        Check(spec.Device is "auto" or "cpu" or "cuda", "device", $"must be auto, cpu or cuda, got '{spec.Device}'");

        ITaskSuite? suite = null;
        if (spec.Task.Suite is null || !TaskSuites.All.TryGetValue(spec.Task.Suite, out suite))
        {
            errors.Add($"task.suite: unknown suite '{spec.Task.Suite}'; known: {string.Join(", ", TaskSuites.All.Keys)}");
        }

        var range = CheckRange(spec.Task.Difficulties, "task.difficulties", suite, errors);
        var baseRange = CheckRange(spec.Base.Difficulties, "base.difficulties", suite, errors);
        if (range is { } r && baseRange is { } b)
        {
            Check(b.Min >= r.Min && b.Max <= r.Max, "base.difficulties", $"[{b.Min}, {b.Max}] must lie within task.difficulties [{r.Min}, {r.Max}]");
            if (spec.Method.Kind == MethodKind.Curriculum)
            {
                Check(b.Max < r.Max, "base.difficulties", "a curriculum needs task.difficulties to reach beyond the labelled base difficulties");
            }
        }

        Check(spec.Train.MaxStaleness is >= 0 and <= 1000, "train.max_staleness", $"must be between 0 and 1000, got {spec.Train.MaxStaleness}");
        Check(spec.Model.Layers is >= 1 and <= 48, "model.layers", $"must be between 1 and 48, got {spec.Model.Layers}");
        Check(spec.Model.Heads >= 1, "model.heads", $"must be at least 1, got {spec.Model.Heads}");
        Check(spec.Model.Width >= 8 && spec.Model.Heads >= 1 && spec.Model.Width % spec.Model.Heads == 0,
            "model.width", $"must be at least 8 and a multiple of model.heads ({spec.Model.Heads}), got {spec.Model.Width}");
        Check(spec.Model.Context is 0 or (>= 8 and <= 4096), "model.context", $"must be 0 (auto) or between 8 and 4096, got {spec.Model.Context}");
        if (suite is not null && range is { } tr && spec.Model.Context > 0)
        {
            var needed = Plan.ContextNeeded(suite, tr.Max);
            Check(spec.Model.Context >= needed, "model.context", $"{spec.Model.Context} is too short for difficulty {tr.Max} of {suite.Name}: needs {needed}");
        }

        Check(Enum.IsDefined(spec.Model.Positions), "model.positions", $"must be absolute, none or abacus, got '{spec.Model.Positions}'");
        Check(spec.Model.MaxPositionOffset is >= 0 and <= 256, "model.max_position_offset", $"must be between 0 and 256, got {spec.Model.MaxPositionOffset}");
        Check(spec.Model.MaxPositionOffset == 0 || spec.Model.Positions == PositionEncoding.Abacus,
            "model.max_position_offset", "applies to abacus positions only");
        if (suite is not null && range is { } cr)
        {
            var context = spec.Model.Context > 0 ? spec.Model.Context : Plan.ContextNeeded(suite, cr.Max);
            Check(spec.Model.MaxPositionOffset < context, "model.max_position_offset",
                $"{spec.Model.MaxPositionOffset} must be below the context length ({context}); set model.context to make room");
            Check(spec.Model.Positions != PositionEncoding.Abacus || Plan.RunTokens(new CharTokenizer(suite.Alphabet)).First > 0,
                "model.positions", $"abacus needs {suite.Name}'s digits and letters to be one contiguous block of its alphabet");
        }

        Check(spec.Base.Examples >= 1, "base.examples", $"must be at least 1, got {spec.Base.Examples}");
        Check(spec.Base.Steps >= 0, "base.steps", $"must be 0 or more, got {spec.Base.Steps}");
        Check(spec.Base.LearningRate is > 0 and < 1, "base.learning_rate", $"must be in (0, 1), got {spec.Base.LearningRate}");

        var m = spec.Method;
        Check(m.ProblemsPerRound >= 1, "method.problems_per_round", $"must be at least 1, got {m.ProblemsPerRound}");
        Check(m.SamplesPerProblem is >= 1 and <= 256, "method.samples_per_problem", $"must be between 1 and 256, got {m.SamplesPerProblem}");
        Check(m.Temperature is > 0 and <= 5, "method.temperature", $"must be in (0, 5], got {m.Temperature}");
        Check(m.TopP is > 0 and <= 1, "method.top_p", $"must be in (0, 1], got {m.TopP}");
        Check(m.MinVoteShare is >= 0 and <= 1, "method.min_vote_share", $"must be in [0, 1], got {m.MinVoteShare}");
        Check(m.MinLikelihood is >= 0 and <= 1, "method.min_likelihood", $"must be in [0, 1], got {m.MinLikelihood}");
        Check(m.BstarThresholdStep is > 0 and < 1, "method.bstar_threshold_step", $"must be in (0, 1), got {m.BstarThresholdStep}");
        Check(m.LengthFilter is null or (>= 0 and <= 1), "method.length_filter", $"must be in [0, 1], got {m.LengthFilter}");
        Check(m.DifficultyStep >= 1, "method.difficulty_step", $"must be at least 1, got {m.DifficultyStep}");
        Check(m.RoundsPerDifficulty >= 1, "method.rounds_per_difficulty", $"must be at least 1, got {m.RoundsPerDifficulty}");
        Check(!(m.Kind != MethodKind.Star && m.Selection == SelectionKind.Verifier), "method.selection",
            $"verifier uses labels; {m.Kind.ToString().ToLowerInvariant()} is label-free: use majority or likelihood");

        Check(spec.Train.StepsPerRound >= 0, "train.steps_per_round", $"must be 0 or more, got {spec.Train.StepsPerRound}");
        Check(spec.Train.BatchSize is >= 1 and <= 4096, "train.batch_size", $"must be between 1 and 4096, got {spec.Train.BatchSize}");
        Check(spec.Train.LearningRate is > 0 and < 1, "train.learning_rate", $"must be in (0, 1), got {spec.Train.LearningRate}");
        Check(spec.Train.Replay is >= 0 and <= 1, "train.replay", $"must be in [0, 1], got {spec.Train.Replay}");

        ValidateObjective(spec, range, errors);
        Check(spec.Eval.ProblemsPerDifficulty >= 1, "eval.problems_per_difficulty", $"must be at least 1, got {spec.Eval.ProblemsPerDifficulty}");
        Check(spec.Eval.Samples is >= 0 and <= 256, "eval.samples", $"must be between 0 and 256, got {spec.Eval.Samples}");
        Check(spec.Eval.Temperature is > 0 and <= 5, "eval.temperature", $"must be in (0, 5], got {spec.Eval.Temperature}");
        ValidateExternal(spec, suite, errors);
        return errors;
    }

    private static void ValidateObjective(ExperimentSpec spec, (int Min, int Max)? range, List<string> errors)
    {
        var t = spec.Train;
        var m = spec.Method;
        if (m.Difficulties is { } band)
        {
            if (band is not { Count: 2 } || band[0] > band[1])
            {
                errors.Add($"method.difficulties: must be [min, max] with min <= max, got [{string.Join(", ", band)}]");
            }
            else if (range is { } r && (band[0] < r.Min || band[1] > r.Max))
            {
                errors.Add($"method.difficulties: [{band[0]}, {band[1]}] must lie within task.difficulties [{r.Min}, {r.Max}]");
            }
        }

        if (t.Schedule is { Count: 0 })
        {
            errors.Add("train.schedule: must list at least one objective, or be left out");
        }

        var objectives = t.Schedule ?? [t.Objective];
        if (objectives.Any(o => !Enum.IsDefined(o)))
        {
            errors.Add("train.objective: must be sft, reinforce, grpo, dpo, srpo or pit");
        }

        if (m.Kind == MethodKind.Curriculum && objectives.Any(o => o != ObjectiveKind.Sft))
        {
            errors.Add("train.objective: the curriculum self-labels one answer per problem; it trains with sft only");
        }

        if (t.ClipEpsilon is <= 0 or >= 1)
        {
            errors.Add($"train.clip_epsilon: must be in (0, 1), got {t.ClipEpsilon}");
        }

        if (t.KlCoefficient is < 0 or > 100)
        {
            errors.Add($"train.kl_coefficient: must be in [0, 100], got {t.KlCoefficient}");
        }

        if (t.Beta is <= 0 or > 100)
        {
            errors.Add($"train.beta: must be in (0, 100], got {t.Beta}");
        }

        if (t.NllCoefficient is < 0 or > 100)
        {
            errors.Add($"train.nll_coefficient: must be in [0, 100], got {t.NllCoefficient}");
        }

        if (t.SrpoAlpha is < 0 or > 1)
        {
            errors.Add($"train.srpo_alpha: must be in [0, 1], got {t.SrpoAlpha}");
        }

        if (!Enum.IsDefined(t.ImportanceLevel))
        {
            errors.Add($"train.importance_level: must be token or sequence, got '{t.ImportanceLevel}'");
        }

        if (t.TruncateImportance < 1)
        {
            errors.Add($"train.truncate_importance: must be at least 1, got {t.TruncateImportance}");
        }

        if (spec.Eval.Revisions is < 0 or > 16)
        {
            errors.Add($"eval.revisions: must be between 0 and 16, got {spec.Eval.Revisions}");
        }

        if (m.Bstar)
        {
            if (m.BstarProbeProblems < 1 || m.BstarNStar < 1 || m.BstarTemperatureStep is <= 0 or > 1)
            {
                errors.Add($"method.bstar_*: probe problems and n* must be at least 1 and the temperature step in (0, 1], got {m.BstarProbeProblems}, {m.BstarNStar}, {m.BstarTemperatureStep}");
            }

            if (m.Kind == MethodKind.Curriculum)
            {
                errors.Add("method.bstar: balances star and sharpen rounds; the curriculum has its own schedule");
            }
        }

        if (m.Asynchronous)
        {
            if (t.MaxStaleness < 1)
            {
                errors.Add("method.asynchronous: samples are drawn one version behind the trainer; train.max_staleness must be at least 1");
            }

            if (t.PublishEvery < 0 || (t.PublishEvery > 0 && t.PublishEvery >= t.StepsPerRound))
            {
                errors.Add($"train.publish_every: must be 0 (versions at a round's end only) or between 1 and train.steps_per_round - 1 ({t.StepsPerRound - 1}), got {t.PublishEvery}");
            }
        }
        else if (t.PublishEvery != 0)
        {
            errors.Add($"train.publish_every: intermediate versions are read by asynchronous rollouts only; set method.asynchronous or leave it 0, got {t.PublishEvery}");

            if (m.Kind == MethodKind.Curriculum)
            {
                errors.Add("method.asynchronous: a curriculum round depends on the previous one's result; it runs synchronously");
            }
        }
    }

    private static void ValidateExternal(ExperimentSpec spec, ITaskSuite? suite, List<string> errors)
    {
        if (spec.Policy is { } policy)
        {
            if (policy.TimeoutSeconds is <= 0 or > 3600)
            {
                errors.Add($"policy.timeout_seconds: must be in (0, 3600], got {policy.TimeoutSeconds}");
            }
            else
            {
                errors.AddRange(policy.Endpoint().Validate("policy."));
            }

            if (spec.Rounds != 0)
            {
                errors.Add($"policy: an external model is sampled, not trained, here; rounds must be 0 (round 0 evaluates it on the held-out split), got {spec.Rounds}");
            }

            if (spec.Base.Dataset is not null)
            {
                errors.Add("base.dataset: an external policy has no base training to feed");
            }
        }

        if (spec.Base.Dataset is { } dataset)
        {
            try
            {
                var examples = Datasets.DatasetImporter.ReadSft(dataset);
                if (examples.Count == 0)
                {
                    errors.Add($"base.dataset: {dataset} holds no examples");
                }

                if (suite is not null)
                {
                    var bad = examples.Select((e, i) => (Text: e.Prompt + e.Completion, Line: i + 1))
                        .FirstOrDefault(x => x.Text.Any(c => !suite.Alphabet.Contains(c)));
                    if (bad.Text is not null)
                    {
                        errors.Add($"base.dataset: example {bad.Line} of {dataset} holds '{bad.Text.First(c => !suite.Alphabet.Contains(c))}', which is not in {suite.Name}'s alphabet");
                    }
                }
            }
            catch (InvalidDataException e)
            {
                errors.Add($"base.dataset: {e.Message}");
            }
        }
    }

    private static (int Min, int Max)? CheckRange(List<int>? range, string field, ITaskSuite? suite, List<string> errors)
    {
        if (range is not { Count: 2 } || range[0] > range[1])
        {
            errors.Add($"{field}: must be [min, max] with min <= max, got [{string.Join(", ", range ?? [])}]");
            return null;
        }

        if (suite is not null && (range[0] < suite.MinDifficulty || range[1] > suite.MaxDifficulty))
        {
            errors.Add($"{field}: [{range[0]}, {range[1]}] is outside {suite.Name}'s difficulties [{suite.MinDifficulty}, {suite.MaxDifficulty}]");
            return null;
        }

        return (range[0], range[1]);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();
}
