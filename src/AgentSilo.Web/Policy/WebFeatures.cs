using System.Text.RegularExpressions;

namespace AgentSilo.Web.Policy;

/// <summary>A candidate action with its feature vector (goal, element, action type, page and history features).</summary>
/// <param name="Action">The action.</param>
/// <param name="Signature">What the action does independent of element ids: kind, the element's text, the argument.</param>
/// <param name="Features">The feature vector, <see cref="WebFeatures.Size"/> floats.</param>
public sealed record WebCandidate(WebAction Action, string Signature, float[] Features);

/// <summary>
/// Turns an observation into candidate actions and their features. Everything is hashed bags of words and a few
/// matching flags, so the model stays small and generalises to unseen words: which goal values an element's text
/// matches, which goal value a fill would type, what the element holds now, and what this episode already did.
/// Text arguments come from the goal: its quoted values.
/// </summary>
public static partial class WebFeatures
{
    /// <summary>Hash buckets for the goal's words (quoted values left out: they are instance fields, not the task).</summary>
    public const int GoalBuckets = 64;

    /// <summary>Hash buckets for the element's words, role, tag and input type.</summary>
    public const int ElementBuckets = 64;

    /// <summary>Hash buckets for the goal words just before the argument (e.g. "username", "email").</summary>
    public const int ContextBuckets = 32;

    /// <summary>Action kinds the policy chooses among.</summary>
    public static readonly WebActionKind[] Kinds = [WebActionKind.Click, WebActionKind.Fill, WebActionKind.SelectOption, WebActionKind.Check, WebActionKind.Uncheck, WebActionKind.Answer];

    private const int Dense = 25;

    /// <summary>Where the dense features (matching flags, page and history features) start in a feature vector.</summary>
    public const int DenseOffset = GoalBuckets + ElementBuckets + ContextBuckets + 6;

    /// <summary>Dense flag: every goal value is placed (held by a field, or its element checked or selected).</summary>
    public const int AllPlaced = 8;

    /// <summary>Dense flag: the goal value the action is about (typed, selected, or the box's label) is placed already.</summary>
    public const int ValuePlaced = 15;

    /// <summary>Dense flag: the element's text holds the word right before the typed value (the field the goal names).</summary>
    public const int FieldNamedByGoal = 16;

    /// <summary>Dense flag: the action changes the element's state (check an unchecked box, type a different value, ...).</summary>
    public const int ChangesElement = 24;

    /// <summary>The length of every feature vector.</summary>
    public const int Size = GoalBuckets + ElementBuckets + ContextBuckets + 6 + Dense;

    /// <summary>The goal's quoted values, in order, each with the two words before it.</summary>
    public static IReadOnlyList<GoalValue> GoalValues(string goal)
    {
        var values = new List<GoalValue>();
        foreach (Match m in Quoted().Matches(goal))
        {
            var before = Tokens(Quoted().Replace(goal[..m.Index], " ")).TakeLast(2).ToArray();
            values.Add(new GoalValue(m.Groups[1].Value, before));
        }

        return values;
    }

    /// <summary>The candidates for an observation; <paramref name="history"/> holds the signatures of actions taken so far.</summary>
    public static List<WebCandidate> Candidates(WebObservation observation, IReadOnlyCollection<string> history, int maxSteps = 10)
    {
        var values = GoalValues(observation.Goal);
        var goalBag = new float[GoalBuckets];
        foreach (var t in Tokens(Quoted().Replace(observation.Goal, " ")))
        {
            goalBag[Bucket(t, GoalBuckets)] += 1;
        }

        Normalize(goalBag);
        var pageTexts = observation.Elements.Select(e => Norm(e.Text)).ToList();
        var placed = values.Select(v => observation.Elements.Any(e => Placed(e, v.Text, history))).ToArray();
        var unplaced = placed.Count(p => !p);
        var onPage = values.Count(v => pageTexts.Any(t => t.Contains(Norm(v.Text), StringComparison.Ordinal)));
        var emptyFields = observation.Elements.Count(e => IsTextField(e) && string.IsNullOrEmpty(e.Value));
        var page = new PageFeatures(values.Count, unplaced, onPage, emptyFields, observation.Step, maxSteps, observation.LastActionError is not null);

        var candidates = new List<WebCandidate>();
        var asksAnswer = observation.Goal.Contains("answer", StringComparison.OrdinalIgnoreCase);
        foreach (var e in observation.Elements)
        {
            if (!e.Interactive || e.Disabled)
            {
                continue;
            }

            if (IsTextField(e))
            {
                for (var i = 0; i < values.Count; i++)
                {
                    Add(candidates, new WebAction(WebActionKind.Fill, e.Id, values[i].Text), e, values, i, goalBag, page, history, placed);
                }
            }
            else if (e.Role == "combobox" || e.Tag == "select")
            {
                for (var i = 0; i < values.Count; i++)
                {
                    Add(candidates, new WebAction(WebActionKind.SelectOption, e.Id, values[i].Text), e, values, i, goalBag, page, history, placed);
                }
            }
            else if (e.Checked is not null || e.Role is "checkbox" or "radio" or "switch")
            {
                // Only the action that changes the box: checking a checked one is a no-op in the browser, and offering it
                // makes "turn X off" (uncheck a checked switch) compete with a do-nothing twin of "turn X on". A box the goal
                // names carries that value's features (is it placed already, its place in the goal, the words around it),
                // so unchecking a box this episode just checked does not look like turning a switch off.
                var named = NamedValue(values, e);
                if (e.Checked is not true)
                {
                    Add(candidates, new WebAction(WebActionKind.Check, e.Id), e, values, named, goalBag, page, history, placed);
                }

                if (e.Checked is not false && e.Role != "radio")
                {
                    Add(candidates, new WebAction(WebActionKind.Uncheck, e.Id), e, values, named, goalBag, page, history, placed);
                }
            }
            else
            {
                Add(candidates, new WebAction(WebActionKind.Click, e.Id), e, values, -1, goalBag, page, history, placed);
            }
        }

        if (asksAnswer)
        {
            for (var i = 0; i < values.Count; i++)
            {
                Add(candidates, new WebAction(WebActionKind.Answer, Argument: values[i].Text), null, values, i, goalBag, page, history, placed);
            }
        }

        if (candidates.Count == 0)
        {
            var noop = new WebAction(WebActionKind.Noop);
            var signature = Signature(noop, null);
            candidates.Add(new WebCandidate(noop, signature, Features(noop, null, values, -1, goalBag, page, history, placed, signature)));
        }

        return candidates;
    }

    /// <summary>What an action does, independent of element ids (ids renumber after a navigation).</summary>
    public static string Signature(WebAction action, WebElement? element) =>
        $"{WebAction.NameOf(action.Kind)}|{Norm(element?.Text ?? "")}|{action.Argument ?? ""}";

    /// <summary>A bag of an element's words, role, tag and input type hashed into <see cref="ElementBuckets"/> buckets.</summary>
    public static float[] ElementBag(WebElement? e)
    {
        var bag = new float[ElementBuckets];
        if (e is null)
        {
            return bag;
        }

        foreach (var t in Tokens(e.Text))
        {
            bag[Bucket(t, ElementBuckets)] += 1;
        }

        bag[Bucket("role:" + e.Role, ElementBuckets)] += 1;
        bag[Bucket("tag:" + e.Tag, ElementBuckets)] += 1;
        if (e.InputType is { } type)
        {
            bag[Bucket("type:" + type, ElementBuckets)] += 1;
        }

        Normalize(bag);
        return bag;
    }

    private static void Add(List<WebCandidate> candidates, WebAction action, WebElement? e, IReadOnlyList<GoalValue> values, int arg,
        float[] goalBag, PageFeatures page, IReadOnlyCollection<string> history, bool[] placed)
    {
        var signature = Signature(action, e);
        candidates.Add(new WebCandidate(action, signature, Features(action, e, values, arg, goalBag, page, history, placed, signature)));
    }

    private static float[] Features(WebAction action, WebElement? e, IReadOnlyList<GoalValue> values, int arg, float[] goalBag,
        PageFeatures page, IReadOnlyCollection<string> history, bool[] placed, string signature)
    {
        var f = new float[Size];
        var o = 0;
        goalBag.CopyTo(f, o);
        o += GoalBuckets;
        ElementBag(e).CopyTo(f, o);
        o += ElementBuckets;
        if (arg >= 0)
        {
            foreach (var t in values[arg].Before)
            {
                f[o + Bucket(t, ContextBuckets)] += 0.5f;
            }
        }

        o += ContextBuckets;
        var kind = Array.IndexOf(Kinds, action.Kind);
        if (kind >= 0)
        {
            f[o + kind] = 1;
        }

        o += Kinds.Length;
        var text = Norm(e?.Text ?? "");
        var textTokens = Tokens(e?.Text ?? "").ToHashSet();
        var exact = values.Any(v => Norm(v.Text) == text && text.Length > 0);
        var contains = values.Any(v => text.Length > 0 && text.Contains(Norm(v.Text), StringComparison.Ordinal));
        var overlap = values.Count == 0 || textTokens.Count == 0 ? 0 :
            values.Max(v => Tokens(v.Text).Count(textTokens.Contains) / (float)Math.Max(1, textTokens.Count));
        var value = e?.Value ?? "";
        var d = new float[Dense];
        d[0] = exact ? 1 : 0;
        d[1] = contains ? 1 : 0;
        d[2] = overlap;
        d[3] = e?.Checked is true ? 1 : 0;
        d[4] = e?.Checked is false ? 1 : 0;
        d[5] = value.Length == 0 ? 1 : 0;
        d[6] = history.Contains(signature) ? 1 : 0;
        d[7] = text.Length > 0 && history.Any(h => h.Split('|') is [_, var t, ..] && t == text) ? 1 : 0;
        d[AllPlaced] = page.Unplaced == 0 ? 1 : 0;
        d[9] = page.Values == 0 ? 0 : page.Unplaced / (float)page.Values;
        d[10] = page.Values == 0 ? 0 : page.OnPage / (float)page.Values;
        d[11] = page.EmptyFields == 0 ? 1 : 0;
        d[12] = page.Step / (float)Math.Max(1, page.MaxSteps);
        d[13] = page.LastActionFailed ? 1 : 0;
        if (arg >= 0)
        {
            var v = values[arg];
            d[14] = action.Kind is WebActionKind.Fill or WebActionKind.SelectOption && value == v.Text ? 1 : 0;
            d[ValuePlaced] = placed[arg] ? 1 : 0;
            // The word right before a quoted value names its field ("email \"x\"" -> Email); the word before that may name the
            // previous field ("name \"a\", email \"b\""), so it only enters the hashed context, not this flag.
            d[FieldNamedByGoal] = v.Before.Length > 0 && textTokens.Contains(v.Before[^1]) ? 1 : 0;
            d[17] = e?.Options is { } options && options.Any(x => x == v.Text || x.EndsWith("=" + v.Text, StringComparison.Ordinal)) ? 1 : 0;
            d[18 + Math.Min(arg, 3)] = 1;
        }

        d[22] = e?.Selected is true || e?.Expanded is true ? 1 : 0;
        d[23] = 1;
        d[ChangesElement] = Changes(action, e) ? 1 : 0;
        d.CopyTo(f, o);
        return f;
    }

    // Whether the action would change the element's state: check an unchecked box, uncheck a checked one, type or select
    // something other than what it holds ("turn X off" is then "change X", whatever its state).
    private static bool Changes(WebAction action, WebElement? e) => e is not null && action.Kind switch
    {
        WebActionKind.Check => e.Checked is not true,
        WebActionKind.Uncheck => e.Checked is true,
        WebActionKind.Fill or WebActionKind.SelectOption => e.Value != action.Argument,
        _ => false,
    };

    // The index of the goal value that is the element's text, or -1.
    private static int NamedValue(IReadOnlyList<GoalValue> values, WebElement e)
    {
        var text = Norm(e.Text);
        for (var i = 0; i < values.Count; i++)
        {
            if (text.Length > 0 && Norm(values[i].Text) == text)
            {
                return i;
            }
        }

        return -1;
    }

    private sealed record PageFeatures(int Values, int Unplaced, int OnPage, int EmptyFields, int Step, int MaxSteps, bool LastActionFailed);

    // A goal value is placed when a field holds it, the element it names is selected (an open tab), or this episode set that
    // element's box to its present state. A box checked from the start is not placed: "turn X off" names a switch that is on.
    // A box's value attribute is no placement (it often repeats the label, checked or not).
    private static bool Placed(WebElement e, string value, IReadOnlyCollection<string> history)
    {
        if (e.Checked is null && e.Value is { } v && v == value)
        {
            return true;
        }

        var text = Norm(e.Text);
        if (text != Norm(value))
        {
            return false;
        }

        return e.Selected is true || e.Checked switch
        {
            true => history.Contains(Signature(new WebAction(WebActionKind.Check, e.Id), e)),
            false => history.Contains(Signature(new WebAction(WebActionKind.Uncheck, e.Id), e)),
            null => false,
        };
    }

    private static bool IsTextField(WebElement e) =>
        e.Role is "textbox" or "searchbox" or "spinbutton" ||
        (e.Tag is "input" or "textarea" && e.InputType is null or "text" or "password" or "email" or "search" or "date" or "number" or "tel" or "url");

    /// <summary>Lower-case words of a text.</summary>
    public static IEnumerable<string> Tokens(string text) =>
        Word().Matches(text.ToLowerInvariant()).Select(m => m.Value);

    private static string Norm(string text) => string.Join(' ', Tokens(text));

    /// <summary>A stable bucket for a token (FNV-1a; string.GetHashCode differs between processes).</summary>
    public static int Bucket(string token, int buckets)
    {
        var hash = 2166136261u;
        foreach (var c in token)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)buckets);
    }

    private static void Normalize(float[] bag)
    {
        var norm = MathF.Sqrt(bag.Sum(x => x * x));
        if (norm > 0)
        {
            for (var i = 0; i < bag.Length; i++)
            {
                bag[i] /= norm;
            }
        }
    }

    [GeneratedRegex("\"([^\"]*)\"")]
    private static partial Regex Quoted();

    [GeneratedRegex("[a-z0-9]+")]
    private static partial Regex Word();
}

/// <summary>A quoted value of the goal and the two words before it.</summary>
public sealed record GoalValue(string Text, string[] Before);
