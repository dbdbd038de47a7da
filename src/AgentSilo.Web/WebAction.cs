using System.Globalization;
using System.Text;

namespace AgentSilo.Web;

/// <summary>
/// An action in the text form a language model could emit too. The grammar (one call per action, whitespace free,
/// strings in double quotes with JSON-style escapes <c>\"</c>, <c>\\</c>, <c>\n</c>; single quotes also accepted):
/// <code>
/// click(id)                 fill(id, "text")            select_option(id, "value or text")
/// check(id)                 uncheck(id)                 press(id, "Enter")
/// scroll(up|down)           goto("https://...")         go_back()
/// answer("text")            noop()
/// </code>
/// <c>id</c> is an element id from the observation (<see cref="WebElement.Id"/>). <see cref="Parse"/> never throws:
/// a malformed action comes back as an error string that the environment reports as the next observation's
/// <see cref="WebObservation.LastActionError"/>.
/// </summary>
/// <param name="Kind">Which action.</param>
/// <param name="ElementId">The target element, for element actions.</param>
/// <param name="Argument">The text argument: fill text, option, key, scroll direction, URL or answer.</param>
public sealed record WebAction(WebActionKind Kind, int? ElementId = null, string? Argument = null)
{
    /// <summary>The canonical text form (what <see cref="Parse"/> reads back to an equal action).</summary>
    public override string ToString() => Kind switch
    {
        WebActionKind.Click => $"click({ElementId})",
        WebActionKind.Fill => $"fill({ElementId}, {Quote(Argument)})",
        WebActionKind.SelectOption => $"select_option({ElementId}, {Quote(Argument)})",
        WebActionKind.Check => $"check({ElementId})",
        WebActionKind.Uncheck => $"uncheck({ElementId})",
        WebActionKind.Press => $"press({ElementId}, {Quote(Argument)})",
        WebActionKind.Scroll => $"scroll({Argument})",
        WebActionKind.Goto => $"goto({Quote(Argument)})",
        WebActionKind.GoBack => "go_back()",
        WebActionKind.Answer => $"answer({Quote(Argument)})",
        _ => "noop()",
    };

    /// <summary>The action's name as written (click, fill, select_option, ...).</summary>
    public static string NameOf(WebActionKind kind) => kind switch
    {
        WebActionKind.SelectOption => "select_option",
        WebActionKind.GoBack => "go_back",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Parses <paramref name="text"/>; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static WebAction? Parse(string? text, out string? error)
    {
        error = null;
        var s = (text ?? "").Trim();
        var open = s.IndexOf('(');
        if (open <= 0 || !s.EndsWith(')'))
        {
            error = $"malformed action '{Clip(s)}': expected name(arguments), e.g. click(3)";
            return null;
        }

        var name = s[..open].Trim().ToLowerInvariant();
        if (!TryKind(name, out var kind))
        {
            error = $"unknown action '{Clip(name)}'; known: click, fill, select_option, check, uncheck, press, scroll, goto, go_back, answer, noop";
            return null;
        }

        if (!TrySplit(s[(open + 1)..^1], out var args, out var splitError))
        {
            error = $"malformed arguments in '{Clip(s)}': {splitError}";
            return null;
        }

        var usage = Usage(kind);
        switch (kind)
        {
            case WebActionKind.Click or WebActionKind.Check or WebActionKind.Uncheck:
                if (args.Count != 1 || !TryId(args[0], out var id1))
                {
                    error = $"{name} takes one element id: {usage}";
                    return null;
                }

                return new WebAction(kind, id1);
            case WebActionKind.Fill or WebActionKind.SelectOption or WebActionKind.Press:
                if (args.Count != 2 || !TryId(args[0], out var id2) || !args[1].Quoted)
                {
                    error = $"{name} takes an element id and a quoted string: {usage}";
                    return null;
                }

                return new WebAction(kind, id2, args[1].Value);
            case WebActionKind.Scroll:
                var dir = args.Count == 1 ? args[0].Value.ToLowerInvariant() : "";
                if (dir is not ("up" or "down"))
                {
                    error = $"scroll takes up or down: {usage}";
                    return null;
                }

                return new WebAction(kind, Argument: dir);
            case WebActionKind.Goto or WebActionKind.Answer:
                if (args.Count != 1)
                {
                    error = $"{name} takes one quoted string: {usage}";
                    return null;
                }

                return new WebAction(kind, Argument: args[0].Value);
            default:
                if (args.Count != 0)
                {
                    error = $"{name} takes no arguments: {usage}";
                    return null;
                }

                return new WebAction(kind);
        }
    }

    private static string Usage(WebActionKind kind) => kind switch
    {
        WebActionKind.Click => "click(3)",
        WebActionKind.Fill => "fill(3, \"text\")",
        WebActionKind.SelectOption => "select_option(3, \"value\")",
        WebActionKind.Check => "check(3)",
        WebActionKind.Uncheck => "uncheck(3)",
        WebActionKind.Press => "press(3, \"Enter\")",
        WebActionKind.Scroll => "scroll(down)",
        WebActionKind.Goto => "goto(\"https://example.com/\")",
        WebActionKind.GoBack => "go_back()",
        WebActionKind.Answer => "answer(\"text\")",
        _ => "noop()",
    };

    private static bool TryKind(string name, out WebActionKind kind)
    {
        foreach (var k in Enum.GetValues<WebActionKind>())
        {
            if (NameOf(k) == name)
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }

    private static bool TryId(Arg a, out int id) =>
        int.TryParse(a.Quoted ? "" : a.Value, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    private readonly record struct Arg(string Value, bool Quoted);

    // Splits on top-level commas; quoted strings may hold commas, parentheses and escapes.
    private static bool TrySplit(string inner, out List<Arg> args, out string? error)
    {
        args = [];
        error = null;
        var i = 0;
        while (true)
        {
            while (i < inner.Length && char.IsWhiteSpace(inner[i]))
            {
                i++;
            }

            if (i >= inner.Length)
            {
                if (args.Count > 0)
                {
                    error = "an argument is missing after a comma";
                    return false;
                }

                return true;
            }

            if (inner[i] is '"' or '\'')
            {
                var quote = inner[i++];
                var sb = new StringBuilder();
                var closed = false;
                while (i < inner.Length)
                {
                    var c = inner[i++];
                    if (c == quote)
                    {
                        closed = true;
                        break;
                    }

                    if (c == '\\' && i < inner.Length)
                    {
                        var e = inner[i++];
                        sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                    }
                    else
                    {
                        sb.Append(c);
                    }
                }

                if (!closed)
                {
                    error = "a quoted string is not closed";
                    return false;
                }

                args.Add(new Arg(sb.ToString(), true));
            }
            else
            {
                var start = i;
                while (i < inner.Length && inner[i] != ',')
                {
                    if (inner[i] is '"' or '\'' or '(' or ')')
                    {
                        error = $"unexpected '{inner[i]}' in a bare argument";
                        return false;
                    }

                    i++;
                }

                var bare = inner[start..i].Trim();
                if (bare.Length == 0)
                {
                    error = "an argument is empty";
                    return false;
                }

                args.Add(new Arg(bare, false));
            }

            while (i < inner.Length && char.IsWhiteSpace(inner[i]))
            {
                i++;
            }

            if (i >= inner.Length)
            {
                return true;
            }

            if (inner[i] != ',')
            {
                error = $"expected ',' or ')' but found '{inner[i]}'";
                return false;
            }

            i++;
            if (inner[i..].Trim().Length == 0)
            {
                error = "an argument is missing after a comma";
                return false;
            }
        }
    }

    private static string Quote(string? s)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in s ?? "")
        {
            sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", '\r' => "\\r", _ => c.ToString() });
        }

        return sb.Append('"').ToString();
    }

    private static string Clip(string s) => s.Length <= 60 ? s : s[..57] + "...";
}

/// <summary>The kinds of <see cref="WebAction"/>.</summary>
public enum WebActionKind
{
    Noop,
    Click,
    Fill,
    SelectOption,
    Check,
    Uncheck,
    Press,
    Scroll,
    Goto,
    GoBack,
    Answer,
}

/// <summary>
/// A web policy: reads an observation and emits an action in <see cref="WebAction"/>'s text form. The pluggable seam of
/// `agentsilo web run --policy`: the random baseline lives beside this interface; a trained policy or a language model
/// implements it too.
/// </summary>
public interface IWebPolicy
{
    /// <summary>The name `--policy` selects it by.</summary>
    string Name { get; }

    /// <summary>The next action as text, e.g. <c>click(3)</c>.</summary>
    Task<string> ActAsync(WebObservation observation, CancellationToken cancellationToken = default);
}
