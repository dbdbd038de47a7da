using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AgentSilo.Web.Site;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AgentSilo.Web.Evolution;

/// <summary>A web self-evolution experiment (examples/web-evolve.yaml). Defaults are stated on each field.</summary>
public sealed class WebEvolutionSpec
{
    /// <summary>The experiment id: letters, digits, - _ .</summary>
    public string Name { get; set; } = "";

    /// <summary>Seeds the policy's weights, exploration, training batches and the training instance stream. Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Self-evolution rounds after round 0 (the untrained policy's evaluation). Default 4.</summary>
    public int Rounds { get; set; } = 4;

    /// <summary>Built-in task ids; empty: every built-in task.</summary>
    public List<string> Tasks { get; set; } = [];

    /// <summary>Episodes running at once in the shared Chromium. Default 4.</summary>
    public int Parallel { get; set; } = 4;

    public WebPolicySpec Policy { get; set; } = new();

    public WebExploreSpec Explore { get; set; } = new();

    public WebTrainSpec Train { get; set; } = new();

    public WebEvalSpec Eval { get; set; } = new();

    public WebWorldModelSpec WorldModel { get; set; } = new();
}

public sealed class WebPolicySpec
{
    /// <summary>Hidden width of the policy MLP. Default 64.</summary>
    public int Hidden { get; set; } = 64;
}

public sealed class WebExploreSpec
{
    /// <summary>Real environment steps per task per round (episodes run until the budget is spent). Default 40.</summary>
    public int StepsPerTask { get; set; } = 40;

    /// <summary>Sampling temperature while exploring. Default 1.</summary>
    public float Temperature { get; set; } = 1;
}

public sealed class WebTrainSpec
{
    /// <summary>Gradient steps per round on the kept (successful) episodes. Default 300.</summary>
    public int Steps { get; set; } = 300;

    public int BatchSize { get; set; } = 32;

    public double LearningRate { get; set; } = 0.003;
}

public sealed class WebEvalSpec
{
    /// <summary>Held-out instances per task per round, acted on greedily. Default 10.</summary>
    public int EpisodesPerTask { get; set; } = 10;

    /// <summary>
    /// Training instances per task, never explored, that the greedy policy is checked on after each round's training;
    /// a round whose policy does worse there than the best so far goes on from that best policy. 0: off. Default 0.
    /// </summary>
    public int ValidationPerTask { get; set; }
}

public sealed class WebWorldModelSpec
{
    /// <summary>Imagined trajectories: world-model rollouts from real start states; predicted successes join training. Default false.</summary>
    public bool Imagined { get; set; }

    /// <summary>Imagined rollouts per real start state per round. Default 4.</summary>
    public int RolloutsPerStart { get; set; } = 4;

    /// <summary>Weight of an imagined step in training, relative to a real one. Default 0.5.</summary>
    public float ImaginedWeight { get; set; } = 0.5f;

    /// <summary>Look-ahead at inference: simulate the top-k candidates, act on the best predicted outcome. Default false.</summary>
    public bool Lookahead { get; set; }

    /// <summary>Candidates simulated by the look-ahead. Default 3.</summary>
    public int TopK { get; set; } = 3;

    /// <summary>Gradient steps per round on all real transitions so far. Default 300.</summary>
    public int Steps { get; set; } = 300;

    public int Hidden { get; set; } = 64;

    public double LearningRate { get; set; } = 0.003;

    [YamlIgnore]
    [JsonIgnore]
    public bool Enabled => Imagined || Lookahead;
}

/// <summary>A spec that cannot be run; the message names each wrong field.</summary>
public sealed class WebEvolutionSpecException(string message) : Exception(message);

/// <summary>Reads and validates <see cref="WebEvolutionSpec"/> files (YAML or JSON).</summary>
public static partial class WebEvolutionSpecLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // round 0 has no training loss (NaN)
    };

    public static WebEvolutionSpec LoadFile(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : throw new WebEvolutionSpecException($"{path}: no such spec file");

    public static WebEvolutionSpec Parse(string text, string source = "spec")
    {
        WebEvolutionSpec? spec;
        try
        {
            spec = Yaml.Deserialize<WebEvolutionSpec>(text);
        }
        catch (YamlException e)
        {
            throw new WebEvolutionSpecException($"{source}:{e.Start.Line}:{e.Start.Column}: {(e.InnerException ?? e).Message}");
        }

        if (spec is null)
        {
            throw new WebEvolutionSpecException($"{source}: the spec is empty");
        }

        var errors = Validate(spec);
        return errors.Count == 0 ? spec : throw new WebEvolutionSpecException($"{source}: " + string.Join("; ", errors));
    }

    public static List<string> Validate(WebEvolutionSpec s)
    {
        var errors = new List<string>();
        if (!Id().IsMatch(s.Name))
        {
            errors.Add("name: letters, digits, - _ . (1-64 characters)");
        }

        void Positive(string field, double value)
        {
            if (value <= 0)
            {
                errors.Add($"{field}: must be positive (was {value})");
            }
        }

        if (s.Rounds < 0)
        {
            errors.Add($"rounds: must be 0 or more (was {s.Rounds})");
        }

        foreach (var t in s.Tasks.Where(t => BuiltInTasks.All.All(b => b.Id != t)))
        {
            errors.Add($"tasks: unknown built-in task '{t}' (known: {string.Join(", ", BuiltInTasks.All.Select(b => b.Id))})");
        }

        Positive("parallel", s.Parallel);
        Positive("policy.hidden", s.Policy.Hidden);
        Positive("explore.steps_per_task", s.Explore.StepsPerTask);
        Positive("explore.temperature", s.Explore.Temperature);
        Positive("train.steps", s.Train.Steps);
        Positive("train.batch_size", s.Train.BatchSize);
        Positive("train.learning_rate", s.Train.LearningRate);
        Positive("eval.episodes_per_task", s.Eval.EpisodesPerTask);
        if (s.Eval.ValidationPerTask < 0)
        {
            errors.Add($"eval.validation_per_task: must be 0 or more (was {s.Eval.ValidationPerTask})");
        }

        Positive("world_model.rollouts_per_start", s.WorldModel.RolloutsPerStart);
        Positive("world_model.top_k", s.WorldModel.TopK);
        Positive("world_model.steps", s.WorldModel.Steps);
        Positive("world_model.hidden", s.WorldModel.Hidden);
        Positive("world_model.learning_rate", s.WorldModel.LearningRate);
        if (s.WorldModel.ImaginedWeight is <= 0 or > 1)
        {
            errors.Add($"world_model.imagined_weight: must be in (0, 1] (was {s.WorldModel.ImaginedWeight})");
        }

        return errors;
    }

    /// <summary>The task ids the spec runs.</summary>
    public static IReadOnlyList<string> TaskIds(WebEvolutionSpec s) => s.Tasks.Count > 0 ? s.Tasks : [.. BuiltInTasks.All.Select(t => t.Id)];

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex Id();
}
