using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentSilo.Web;

/// <summary>
/// The random baseline: picks a random enabled interactive element and an action that suits it (click a button or
/// link, fill a text field with a word or a quoted phrase of the goal, pick an option, tick or untick a box), and now
/// and then answers with a word of the goal. Seeded, so a run repeats. Works on any task, including user tasks no
/// scripted policy knows.
/// </summary>
public sealed partial class RandomWebPolicy(long seed) : IWebPolicy
{
    private readonly Random random = new(unchecked((int)(seed ^ (seed >> 32))));

    /// <inheritdoc/>
    public string Name => "random";

    /// <summary>The chance of answering instead of acting on an element. Default 0.05.</summary>
    public double AnswerProbability { get; init; } = 0.05;

    /// <inheritdoc/>
    public Task<string> ActAsync(WebObservation observation, CancellationToken cancellationToken = default)
    {
        var words = GoalWords(observation.Goal);
        var targets = observation.Elements.Where(e => e.Interactive && !e.Disabled).ToList();
        if (targets.Count == 0 || random.NextDouble() < AnswerProbability)
        {
            return Task.FromResult(new WebAction(WebActionKind.Answer, Argument: Pick(words)).ToString());
        }

        var e = targets[random.Next(targets.Count)];
        WebAction action = e.Role switch
        {
            "textbox" or "searchbox" or "spinbutton" => new WebAction(WebActionKind.Fill, e.Id, Pick(words)),
            "combobox" or "listbox" when e.Options is { Count: > 0 } => new WebAction(WebActionKind.SelectOption, e.Id, OptionValue(e.Options[random.Next(e.Options.Count)])),
            "checkbox" or "switch" => new WebAction(e.Checked == true ? WebActionKind.Uncheck : WebActionKind.Check, e.Id),
            "radio" => new WebAction(WebActionKind.Check, e.Id),
            _ => new WebAction(WebActionKind.Click, e.Id),
        };
        return Task.FromResult(action.ToString());
    }

    private string Pick(IReadOnlyList<string> words) => words.Count == 0 ? "" : words[random.Next(words.Count)];

    // An option is listed as "value=text" when the two differ.
    private static string OptionValue(string option)
    {
        var eq = option.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 ? option[..eq] : option;
    }

    /// <summary>The goal's quoted phrases and words (punctuation trimmed), in order, without repeats.</summary>
    public static IReadOnlyList<string> GoalWords(string goal)
    {
        var words = new List<string>();
        foreach (Match m in Quoted().Matches(goal))
        {
            words.Add(m.Groups[1].Value);
        }

        foreach (var w in goal.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var t = w.Trim('"', '\'', ',', '.', ';', ':', '!', '?', '(', ')');
            if (t.Length > 0)
            {
                words.Add(t.ToString(CultureInfo.InvariantCulture));
            }
        }

        return [.. words.Distinct(StringComparer.Ordinal)];
    }

    [GeneratedRegex("\"([^\"]+)\"")]
    private static partial Regex Quoted();
}

/// <summary>Makes policies for `agentsilo web run --policy NAME`.</summary>
public interface IWebPolicyFactory
{
    /// <summary>The name --policy selects.</summary>
    string Name { get; }

    /// <summary>One line for --help.</summary>
    string Description { get; }

    /// <summary>A policy for one run; <paramref name="seed"/> seeds whatever is random in it, <paramref name="model"/> is the --model argument (a checkpoint), when given.</summary>
    IWebPolicy Create(long seed, string? model);
}

/// <summary>
/// The policies `agentsilo web run` offers. A new policy (the trained web policy, a language model) is one more
/// <see cref="IWebPolicyFactory"/> in <see cref="All"/>; the command needs no other change.
/// </summary>
public static class WebPolicyCatalog
{
    /// <summary>Every policy, by name.</summary>
    public static IReadOnlyList<IWebPolicyFactory> All { get; } = [new RandomWebPolicyFactory(), new Policy.TrainedWebPolicyFactory(), new Policy.ChatWebPolicyFactory()];

    /// <summary>The factory named <paramref name="name"/>, or null.</summary>
    public static IWebPolicyFactory? Find(string name) => All.FirstOrDefault(f => f.Name == name);

    private sealed class RandomWebPolicyFactory : IWebPolicyFactory
    {
        public string Name => "random";

        public string Description => "random enabled element, an action that suits it, text from the goal (the baseline)";

        public IWebPolicy Create(long seed, string? model) => new RandomWebPolicy(seed);
    }
}
