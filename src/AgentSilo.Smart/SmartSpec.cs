using AgentSilo.Evolution;

namespace AgentSilo.Smart;

/// <summary>A SMART experiment, as read from a spec file (YAML or JSON, snake_case).</summary>
public sealed class SmartSpec
{
    /// <summary>Experiment name: letters, digits, '-', '_' and '.'.</summary>
    public string Name { get; set; } = "";

    /// <summary>Seeds the model, the task draws and every choice. Default 1.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>"auto", "cpu" or "cuda". Default auto.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>Task families in the mix. Default [small, carry, product, nested].</summary>
    public List<string> Families { get; set; } = [.. TaskMix.AllFamilies];

    public SmartModelSection Model { get; set; } = new();

    public SmartBaseSection Base { get; set; } = new();

    public SmartToolSection Tool { get; set; } = new();

    public SmartCostSection Costs { get; set; } = new();

    public SmartSection Smart { get; set; } = new();

    public SmartEvalSection Eval { get; set; } = new();
}

public sealed class SmartModelSection
{
    /// <summary>Default 2.</summary>
    public int Layers { get; set; } = 2;

    /// <summary>Default 4.</summary>
    public int Heads { get; set; } = 4;

    /// <summary>Default 64.</summary>
    public int Width { get; set; } = 64;
}

/// <summary>Round 0: supervised training of the formats on verified canonical solutions, and a uniform strategy prior.</summary>
public sealed class SmartBaseSection
{
    /// <summary>Labelled training problems per family. Default 1500.</summary>
    public int ProblemsPerFamily { get; set; } = 1500;

    /// <summary>Default 2000.</summary>
    public int Steps { get; set; } = 2000;

    /// <summary>Default 0.003.</summary>
    public double LearningRate { get; set; } = 0.003;

    /// <summary>Default 64.</summary>
    public int BatchSize { get; set; } = 64;
}

/// <summary>The calculator's limits.</summary>
public sealed class SmartToolSection
{
    /// <summary>Longest program in characters. Default 10.</summary>
    public int MaxLength { get; set; } = 10;

    /// <summary>Largest absolute value of a literal or any intermediate result. Default 9999.</summary>
    public long MaxValue { get; set; } = 9_999;

    /// <summary>Deepest nesting. Default 8.</summary>
    public int MaxDepth { get; set; } = 8;

    public InterpreterLimits ToLimits() => new(MaxLength, MaxValue, MaxDepth);
}

/// <summary>Compute costs in token-equivalents and the reward's cost penalty.</summary>
public sealed class SmartCostSection
{
    /// <summary>Default 1.</summary>
    public double Token { get; set; } = 1;

    /// <summary>Default 8.</summary>
    public double ToolCall { get; set; } = 8;

    /// <summary>Default 10.</summary>
    public double Critique { get; set; } = 10;

    /// <summary>Reward = correct - penalty x cost. Default 0.02.</summary>
    public double Penalty { get; set; } = 0.02;

    public CostModel ToModel() => new(Token, ToolCall, Critique, Penalty);
}

/// <summary>The RL rounds.</summary>
public sealed class SmartSection
{
    /// <summary>Rounds of episodes and updates after the base. Default 4.</summary>
    public int Rounds { get; set; } = 4;

    /// <summary>Training problems per family per round (fresh each round). Default 150.</summary>
    public int EpisodesPerFamily { get; set; } = 150;

    /// <summary>Revisions after a failed attempt, in training episodes and in the refinement arms. Default 2.</summary>
    public int MaxRefinements { get; set; } = 2;

    /// <summary>Policy-gradient steps per round on the strategy token. Default 40.</summary>
    public int RlSteps { get; set; } = 40;

    /// <summary>Default 0.001.</summary>
    public double RlLearningRate { get; set; } = 0.001;

    /// <summary>Weight of a strategy that succeeded in refinement, fed back as a first choice (x its advantage). Default 1.</summary>
    public double FeedbackWeight { get; set; } = 1.0;

    /// <summary>Supervised steps per round on verified solutions (plus replay). Default 100.</summary>
    public int SftSteps { get; set; } = 100;

    /// <summary>Default 0.001.</summary>
    public double SftLearningRate { get; set; } = 0.001;

    /// <summary>Share of base examples mixed into each round's supervised data. Default 0.5.</summary>
    public double Replay { get; set; } = 0.5;

    /// <summary>Round 1's exploration: chance of a uniform first strategy. Default 0.2.</summary>
    public double Epsilon { get; set; } = 0.2;

    /// <summary>Epsilon is multiplied by this each round. Default 0.5.</summary>
    public double EpsilonDecay { get; set; } = 0.5;

    /// <summary>Temperature of the strategy distribution in training episodes. Default 1.</summary>
    public double Temperature { get; set; } = 1.0;
}

public sealed class SmartEvalSection
{
    /// <summary>Held-out problems per family. Default 100.</summary>
    public int HeldOutPerFamily { get; set; } = 100;
}

/// <summary>Reads and validates SMART specs.</summary>
public static class SmartSpecLoader
{
    public static SmartSpec LoadFile(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : throw new SpecException($"{path}: no such spec file");

    public static SmartSpec Parse(string text, string source = "spec") =>
        SpecText.Parse<SmartSpec>(text, source, "the README's SMART spec", Validate);

    public static string ToJson(SmartSpec spec) => SpecText.ToJson(spec);

    public static SmartSpec FromJson(string json) => SpecText.FromJson<SmartSpec>(json, Validate);

    public static IReadOnlyList<string> Validate(SmartSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = new List<string>();
        if (string.IsNullOrEmpty(spec.Name) || !spec.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            errors.Add($"name: must be letters, digits, - _ . and not empty, got '{spec.Name}'");
        }

        if (spec.Device is not ("auto" or "cpu" or "cuda"))
        {
            errors.Add($"device: must be auto, cpu or cuda, got '{spec.Device}'");
        }

        if (spec.Families is not { Count: > 0 } || spec.Families.Distinct().Count() != spec.Families.Count || spec.Families.Any(f => !TaskMix.AllFamilies.Contains(f)))
        {
            errors.Add($"families: must list one or more of {string.Join(", ", TaskMix.AllFamilies)}, each once");
        }

        var m = spec.Model ?? new();
        if (m.Layers is < 1 or > 12 || m.Heads < 1 || m.Width < 1 || m.Width % Math.Max(1, m.Heads) != 0)
        {
            errors.Add($"model: layers 1..12, heads >= 1, width a positive multiple of heads; got {m.Layers}, {m.Heads}, {m.Width}");
        }

        var b = spec.Base ?? new();
        Positive(errors, "base.problems_per_family", b.ProblemsPerFamily);
        NonNegative(errors, "base.steps", b.Steps);
        Positive(errors, "base.batch_size", b.BatchSize);
        PositiveRate(errors, "base.learning_rate", b.LearningRate);
        errors.AddRange((spec.Tool ?? new()).ToLimits().Validate().Select(e => "tool." + e));
        var c = spec.Costs ?? new();
        if (!(c.Token >= 0) || !(c.ToolCall >= 0) || !(c.Critique >= 0) || !(c.Penalty >= 0) || c.Penalty > 1)
        {
            errors.Add("costs: token, tool_call, critique must be >= 0 and penalty between 0 and 1");
        }

        var s = spec.Smart ?? new();
        NonNegative(errors, "smart.rounds", s.Rounds);
        Positive(errors, "smart.episodes_per_family", s.EpisodesPerFamily);
        if (s.MaxRefinements is < 0 or > 3)
        {
            errors.Add($"smart.max_refinements: must be between 0 and 3, got {s.MaxRefinements}");
        }

        NonNegative(errors, "smart.rl_steps", s.RlSteps);
        NonNegative(errors, "smart.sft_steps", s.SftSteps);
        PositiveRate(errors, "smart.rl_learning_rate", s.RlLearningRate);
        PositiveRate(errors, "smart.sft_learning_rate", s.SftLearningRate);
        Fraction(errors, "smart.replay", s.Replay);
        Fraction(errors, "smart.epsilon", s.Epsilon);
        Fraction(errors, "smart.epsilon_decay", s.EpsilonDecay);
        if (!(s.FeedbackWeight >= 0))
        {
            errors.Add($"smart.feedback_weight: must be >= 0, got {s.FeedbackWeight}");
        }

        if (!(s.Temperature > 0))
        {
            errors.Add($"smart.temperature: must be > 0, got {s.Temperature}");
        }

        Positive(errors, "eval.held_out_per_family", (spec.Eval ?? new()).HeldOutPerFamily);
        return errors;
    }

    private static void Positive(List<string> errors, string field, int value)
    {
        if (value < 1)
        {
            errors.Add($"{field}: must be at least 1, got {value}");
        }
    }

    private static void NonNegative(List<string> errors, string field, int value)
    {
        if (value < 0)
        {
            errors.Add($"{field}: must be 0 or more, got {value}");
        }
    }

    private static void PositiveRate(List<string> errors, string field, double value)
    {
        if (!(value > 0) || value > 1)
        {
            errors.Add($"{field}: must be in (0, 1], got {value}");
        }
    }

    private static void Fraction(List<string> errors, string field, double value)
    {
        if (!(value >= 0) || value > 1)
        {
            errors.Add($"{field}: must be between 0 and 1, got {value}");
        }
    }
}
