using AgentSilo.Evolution;

namespace AgentSilo.Hgm;

/// <summary>
/// An HGM run, as read from a spec file: the policy (task, model, labelled base training, as in an experiment spec)
/// and the search over agent variants that run on it (<see cref="Hgm"/>).
/// </summary>
public sealed class HgmSpec
{
    /// <summary>Run name; also the prefix of its grain keys. Letters, digits, '-', '_' and '.'.</summary>
    public string Name { get; set; } = "";

    /// <summary>Seeds the base policy, the task draws and the first search (search i uses seed + i). Default 1.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>"auto", "cpu" or "cuda". Default auto.</summary>
    public string Device { get; set; } = "auto";

    public TaskSection Task { get; set; } = new();

    public ModelSection Model { get; set; } = new();

    /// <summary>The policy every agent variant runs on: trained once per run on labelled problems.</summary>
    public BaseSection Base { get; set; } = new();

    public HgmSection Hgm { get; set; } = new();
}

/// <summary>The search: schedulers, budget, workers, the root agent.</summary>
public sealed class HgmSection
{
    /// <summary>Schedulers to run, each at the same budget and worker count. Default [hgm, dgm, greedy].</summary>
    public List<SearchMethod> Methods { get; set; } = [SearchMethod.Hgm, SearchMethod.Dgm, SearchMethod.Greedy];

    /// <summary>Searches per scheduler (seeds seed, seed + 1, ...). Default 1.</summary>
    public int Seeds { get; set; } = 1;

    /// <summary>Task evaluations per search. Default 200.</summary>
    public int Budget { get; set; } = 200;

    /// <summary>Evaluations in flight at once. Default 4.</summary>
    public int Workers { get; set; } = 4;

    /// <summary>HGM: expand when evaluations^alpha &gt;= nodes. Default 0.6.</summary>
    public double Alpha { get; set; } = 0.6;

    /// <summary>Training-split problems the evaluations draw from, in a fixed order every agent meets. Default 400.</summary>
    public int TaskPool { get; set; } = 400;

    /// <summary>Held-out problems per difficulty that score the best agents. Default 100.</summary>
    public int HeldOutPerDifficulty { get; set; } = 100;

    /// <summary>The agent the tree grows from.</summary>
    public VariantSection Root { get; set; } = new();

    public DgmSection Dgm { get; set; } = new();

    public GreedySection Greedy { get; set; } = new();
}

/// <summary>An agent variant in a spec.</summary>
public sealed class VariantSection
{
    /// <summary>Default 1.</summary>
    public int Samples { get; set; } = 1;

    /// <summary>first | majority | likelihood. Default first.</summary>
    public AnswerSelection Selection { get; set; } = AnswerSelection.First;

    /// <summary>Default 1.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>Default 1.</summary>
    public double TopP { get; set; } = 1.0;

    /// <summary>Default 8.</summary>
    public int MaxNewTokens { get; set; } = 8;

    public AgentVariant ToVariant() => new(Samples, Selection, Temperature, TopP, MaxNewTokens);
}

/// <summary>DGM's staged evaluation and parent selection.</summary>
public sealed class DgmSection
{
    /// <summary>Default 5.</summary>
    public int Stage1 { get; set; } = 5;

    /// <summary>Default 10.</summary>
    public int Stage2 { get; set; } = 10;

    /// <summary>Default 0.4.</summary>
    public double Threshold { get; set; } = 0.4;

    /// <summary>Default 10.</summary>
    public double Lambda { get; set; } = 10;

    /// <summary>Default 0.5.</summary>
    public double Midpoint { get; set; } = 0.5;
}

/// <summary>Greedy's fixed evaluation per node.</summary>
public sealed class GreedySection
{
    /// <summary>Default 10.</summary>
    public int Evaluations { get; set; } = 10;
}

/// <summary>Reads and validates HGM specs (YAML or JSON), in the experiment specs' style.</summary>
public static class HgmSpecLoader
{
    public static HgmSpec LoadFile(string path) =>
        File.Exists(path) ? Parse(File.ReadAllText(path), path) : throw new SpecException($"{path}: no such spec file");

    public static HgmSpec Parse(string text, string source = "spec") =>
        SpecText.Parse<HgmSpec>(text, source, "the README's HGM spec", Validate);

    public static string ToJson(HgmSpec spec) => SpecText.ToJson(spec);

    public static HgmSpec FromJson(string json) => SpecText.FromJson<HgmSpec>(json, Validate);

    /// <summary>The experiment spec of the base policy (round 0 only), so the trainer and the task splits are the experiments' own.</summary>
    public static ExperimentSpec PolicySpec(HgmSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new ExperimentSpec
        {
            Name = spec.Name,
            Seed = spec.Seed,
            Rounds = 0,
            Device = spec.Device,
            Task = spec.Task,
            Model = spec.Model,
            Base = spec.Base,
            Eval = new EvalSection { ProblemsPerDifficulty = spec.Hgm.HeldOutPerDifficulty, Samples = 0 },
        };
    }

    /// <summary>The search settings of one scheduler.</summary>
    public static SearchSettings Settings(HgmSpec spec, SearchMethod method)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var h = spec.Hgm;
        return new SearchSettings(
            method, h.Budget, h.Workers, h.Alpha, h.Dgm.Stage1, h.Dgm.Stage2, h.Dgm.Threshold, h.Dgm.Lambda, h.Dgm.Midpoint, h.Greedy.Evaluations);
    }

    public static IReadOnlyList<string> Validate(HgmSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var errors = SpecLoader.Validate(PolicySpec(spec))
            .Where(e => !e.StartsWith("eval.", StringComparison.Ordinal) && !e.StartsWith("rounds", StringComparison.Ordinal))
            .ToList();
        var h = spec.Hgm;
        if (h.Methods is not { Count: > 0 } || h.Methods.Distinct().Count() != h.Methods.Count)
        {
            errors.Add("hgm.methods: must list one or more of hgm, dgm, greedy, each once");
        }

        if (h.Seeds is < 1 or > 100)
        {
            errors.Add($"hgm.seeds: must be between 1 and 100, got {h.Seeds}");
        }

        if (h.TaskPool < 1)
        {
            errors.Add($"hgm.task_pool: must be at least 1, got {h.TaskPool}");
        }

        if (h.HeldOutPerDifficulty < 1)
        {
            errors.Add($"hgm.held_out_per_difficulty: must be at least 1, got {h.HeldOutPerDifficulty}");
        }

        errors.AddRange(Settings(spec, SearchMethod.Hgm).Validate()
            .Where(e => !e.StartsWith("method", StringComparison.Ordinal))
            .Select(e => "hgm." + e.Replace("dgm_", "dgm.", StringComparison.Ordinal).Replace("greedy_evaluations", "greedy.evaluations", StringComparison.Ordinal)));
        errors.AddRange((h.Root ?? new VariantSection()).ToVariant().Validate().Select(e => "hgm.root." + e));
        return errors;
    }
}
