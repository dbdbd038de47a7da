using System.Net;

namespace AgentSilo.Web.Site;

/// <summary>What a scripted solution step does: the text action it becomes, with the element named by a CSS selector.</summary>
public enum SolutionKind
{
    Click,
    Fill,
    SelectOption,
    Check,
    Uncheck,
    Answer,
}

/// <summary>One step of a scripted solution: an action on the element a CSS selector names (none for answer).</summary>
public sealed record SolutionStep(SolutionKind Kind, string Selector, string? Argument = null)
{
    public static SolutionStep Click(string selector) => new(SolutionKind.Click, selector);

    public static SolutionStep Fill(string selector, string text) => new(SolutionKind.Fill, selector, text);

    public static SolutionStep Select(string selector, string value) => new(SolutionKind.SelectOption, selector, value);

    public static SolutionStep Check(string selector) => new(SolutionKind.Check, selector);

    public static SolutionStep Uncheck(string selector) => new(SolutionKind.Uncheck, selector);

    public override string ToString() => Argument is null ? $"{Kind}({Selector})" : $"{Kind}({Selector}, \"{Argument}\")";
}

/// <summary>A built-in task: a family of randomized instances, one per seed.</summary>
public abstract class SiteTask
{
    /// <summary>The task id, e.g. <c>click-button</c>.</summary>
    public abstract string Id { get; }

    /// <summary>What the task exercises, in a few words.</summary>
    public abstract string Description { get; }

    /// <summary>Upper bound on the steps the task needs (its scripted solution's length, plus slack).</summary>
    public virtual int MaxSteps => 8;

    /// <summary>The instance for a seed: same seed, same instance.</summary>
    public SiteInstance Create(int seed)
    {
        var instance = Generate(new Random(StableSeed(Id, seed)));
        instance.TaskId = Id;
        instance.Seed = seed;
        return instance;
    }

    protected abstract SiteInstance Generate(Random random);

    /// <summary>A seed mixed with the task id by FNV-1a (string.GetHashCode differs between processes).</summary>
    internal static int StableSeed(string id, int seed)
    {
        var hash = 2166136261u;
        foreach (var c in id)
        {
            hash = (hash ^ c) * 16777619u;
        }

        hash = (hash ^ (uint)seed) * 16777619u;
        return (int)(hash & 0x7fffffff);
    }
}

/// <summary>
/// One randomized instance: the goal, the pages (rendered per request from the episode's server-side state), the
/// validator (the state the pages leave behind), and a scripted solution plus a wrong one.
/// </summary>
public abstract class SiteInstance
{
    public string TaskId { get; internal set; } = "";

    public int Seed { get; internal set; }

    /// <summary>The goal shown to the agent; randomized fields are quoted.</summary>
    public abstract string Goal { get; }

    /// <summary>Steps that reach reward 1 from the start page.</summary>
    public abstract IReadOnlyList<SolutionStep> Solution { get; }

    /// <summary>Plausible steps that end the episode with reward 0.</summary>
    public abstract IReadOnlyList<SolutionStep> WrongSolution { get; }

    /// <summary>
    /// Answers one request: <paramref name="page"/> is the path below the episode's root ("" for the start page),
    /// <paramref name="args"/> the query or form fields. Returns the page body; finishes the episode when the
    /// request ends the task.
    /// </summary>
    public abstract string Respond(SiteEpisode episode, string page, SiteArgs args);

    /// <summary>The reward for an <c>answer(text)</c> action; tasks that do not ask for an answer give 0.</summary>
    public virtual double RewardForAnswer(string answer) => 0;
}

/// <summary>The query and form fields of one request (a name may repeat, e.g. checkboxes).</summary>
public sealed class SiteArgs(IReadOnlyDictionary<string, IReadOnlyList<string>> values)
{
    public static readonly SiteArgs Empty = new(new Dictionary<string, IReadOnlyList<string>>());

    public string? this[string name] => values.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;

    public IReadOnlyList<string> All(string name) => values.TryGetValue(name, out var v) ? v : [];

    public bool Has(string name) => values.ContainsKey(name);
}

/// <summary>One episode of one instance on the site: its key, server-side state, and outcome.</summary>
public sealed class SiteEpisode(string key, SiteInstance instance)
{
    private readonly Lock _gate = new();

    public string Key { get; } = key;

    public SiteInstance Instance { get; } = instance;

    /// <summary>Task state the pages keep between requests (cart, current tab, ...).</summary>
    public Dictionary<string, string> State { get; } = [];

    public bool Finished { get; private set; }

    public double Reward { get; private set; }

    /// <summary>Ends the episode; the first outcome stands (later requests cannot undo or redo it).</summary>
    public void Finish(bool success)
    {
        lock (_gate)
        {
            if (Finished)
            {
                return;
            }

            Finished = true;
            Reward = success ? 1 : 0;
        }
    }

    /// <summary>An <c>answer(text)</c> ends the episode with the instance's reward for it.</summary>
    public void Answer(string text)
    {
        lock (_gate)
        {
            if (Finished)
            {
                return;
            }

            Finished = true;
            Reward = Instance.RewardForAnswer(text);
        }
    }

    internal Lock Gate => _gate;
}

/// <summary>Small HTML helpers for the task pages (every dynamic string is encoded).</summary>
internal static class Html
{
    public static string E(string text) => WebUtility.HtmlEncode(text);

    public static string Page(string title, string body) =>
        $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{E(title)}</title>" +
        "<style>body{font-family:sans-serif;margin:16px}form,nav,ul{margin:8px 0}label{margin-right:8px}</style>" +
        $"</head><body>{body}</body></html>";

    public static string Finished(bool success) =>
        $"<h1>Episode finished</h1><p>{(success ? "Thank you." : "That was not it.")}</p>";

    public static string Button(string id, string text, string name = "", string value = "") =>
        name.Length == 0
            ? $"<button type=\"submit\" id=\"{E(id)}\">{E(text)}</button>"
            : $"<button type=\"submit\" id=\"{E(id)}\" name=\"{E(name)}\" value=\"{E(value)}\">{E(text)}</button>";

    public static string TextInput(string id, string label, string type = "text") =>
        $"<p><label for=\"{E(id)}\">{E(label)}</label><input type=\"{type}\" id=\"{E(id)}\" name=\"{E(id)}\"></p>";

    public static string Link(string id, string href, string text) =>
        $"<a id=\"{E(id)}\" href=\"{E(href)}\">{E(text)}</a>";

    public static string Items(IEnumerable<string> items) => "<ul>" + string.Concat(items.Select(i => $"<li>{i}</li>")) + "</ul>";
}

/// <summary>Word lists the instances draw their randomized fields from.</summary>
internal static class Words
{
    public static readonly string[] Common =
    [
        "apple", "river", "stone", "cloud", "maple", "tiger", "piano", "lemon", "orbit", "candle", "falcon", "harbor",
        "meadow", "silver", "violet", "copper", "garden", "island", "jacket", "kettle", "ladder", "mirror", "needle",
        "pepper", "rocket", "saddle", "tunnel", "velvet", "walnut", "zipper", "anchor", "bamboo", "cactus", "dolphin",
        "engine", "forest", "glacier", "helmet", "iguana", "jungle", "koala", "lantern", "magnet", "nectar", "oyster",
        "parrot", "quartz", "ribbon", "salmon", "teapot", "umbrella", "valley", "wizard", "yogurt", "zebra", "basket",
    ];

    public static readonly string[] Names = ["alice", "bruno", "chen", "dana", "emeka", "fatima", "goran", "hana", "ivan", "jonas", "kofi", "lena", "mateo", "nadia", "omar", "priya", "quinn", "rosa", "sven", "tara"];

    public static readonly string[] Cities = ["Lisbon", "Oslo", "Nairobi", "Lima", "Osaka", "Quebec", "Tunis", "Perth", "Bergen", "Porto", "Dakar", "Hanoi", "Quito", "Riga", "Sofia", "Turin"];

    public static readonly string[] Colors = ["Red", "Blue", "Green", "Black", "White", "Yellow", "Orange", "Purple", "Grey", "Pink"];

    public static readonly string[] Products = ["Lamp", "Chair", "Kettle", "Backpack", "Blanket", "Teapot", "Notebook", "Umbrella", "Scarf", "Clock", "Mug", "Pillow"];

    public static readonly string[] Settings = ["Wi-Fi", "Bluetooth", "Dark mode", "Notifications", "Location", "Auto update", "Sound", "Sync"];

    public static readonly string[] Sections = ["Sports", "Music", "Travel", "Science", "Cooking", "Movies", "Garden", "History"];

    public static readonly string[] Menus = ["File", "Edit", "View", "Insert", "Format", "Tools", "Help"];

    /// <summary>Picks <paramref name="count"/> distinct items in random order.</summary>
    public static List<string> Pick(Random random, IReadOnlyList<string> from, int count) =>
        [.. from.OrderBy(_ => random.Next()).Take(count)];

    public static string Password(Random random)
    {
        const string chars = "abcdefghjkmnpqrstuvwxyz23456789";
        return new string([.. Enumerable.Range(0, 8).Select(_ => chars[random.Next(chars.Length)])]);
    }
}
