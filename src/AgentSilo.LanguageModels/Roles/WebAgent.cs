using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace AgentSilo.LanguageModels.Roles;

/// <summary>One element of a page as the agent sees it (the web environment's accessibility-style element list).</summary>
/// <param name="Id">The element's number on this page; actions name it.</param>
/// <param name="Role">button, link, textbox, checkbox, option, heading, text...</param>
/// <param name="Text">Its visible text or accessible name.</param>
/// <param name="Value">A field's current value; null for none.</param>
/// <param name="State">States such as "checked", "disabled", "selected"; null for none.</param>
/// <param name="Options">A select's option texts; null for other elements.</param>
public sealed record WebElement(int Id, string Role, string Text, string? Value = null, string? State = null, IReadOnlyList<string>? Options = null);

/// <summary>What a web agent observes: the task's goal, the page's URL and its elements.</summary>
public sealed record WebObservation(string Goal, string Url, IReadOnlyList<WebElement> Elements);

/// <summary>A parsed action. <see cref="ElementId"/> is null for answer; <see cref="Text"/> is null for click.</summary>
public sealed record WebAction(string Kind, int? ElementId, string? Text)
{
    /// <summary>The canonical text form: click(3), fill(3, "x"), select(3, "x"), answer("y").</summary>
    public override string ToString() => Kind switch
    {
        "click" => $"click({ElementId})",
        "answer" => $"answer({Quote(Text!)})",
        _ => $"{Kind}({ElementId}, {Quote(Text!)})",
    };

    /// <summary>A string as actions write it: JSON-quoted.</summary>
    public static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text, QuoteOptions);

    private static readonly System.Text.Json.JsonSerializerOptions QuoteOptions =
        new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>A web agent over a chat model: renders the observation as a prompt, parses the reply into one text action.</summary>
public sealed partial class WebAgent(IChatClient client)
{
    public const string Instruction =
        "You operate a web page to reach a goal. Each turn you see the goal, the URL and the page's elements as [id] role \"text\". " +
        "Reply with exactly one action: click(id), fill(id, \"text\"), select(id, \"option\"), or answer(\"text\") when the goal asks for an answer or is reached.";

    /// <summary>The observation as prompt text: goal, URL, one line per element, then the actions taken so far.</summary>
    public static string Render(WebObservation observation, IReadOnlyList<string>? history = null)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Goal: {observation.Goal}\nURL: {observation.Url}\nElements:\n");
        foreach (var e in observation.Elements)
        {
            text.Append(CultureInfo.InvariantCulture, $"[{e.Id}] {e.Role} {WebAction.Quote(e.Text)}");
            if (e.Value is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $" value={WebAction.Quote(e.Value)}");
            }

            if (!string.IsNullOrEmpty(e.State))
            {
                text.Append(CultureInfo.InvariantCulture, $" ({e.State})");
            }

            if (e.Options is { Count: > 0 })
            {
                text.Append(" options=[").AppendJoin(", ", e.Options.Select(WebAction.Quote)).Append(']');
            }

            text.Append('\n');
        }

        if (history is { Count: > 0 })
        {
            text.Append("Actions so far:\n");
            foreach (var action in history)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {action}\n");
            }
        }

        text.Append("Next action:");
        return text.ToString();
    }

    public static IList<ChatMessage> Prompt(WebObservation observation, IReadOnlyList<string>? history = null) =>
        [new ChatMessage(ChatRole.System, Instruction), new ChatMessage(ChatRole.User, Render(observation, history))];

    /// <summary>
    /// The first action in a reply (models often explain first, or wrap it in backticks): click(N), fill(N, "text"),
    /// select(N, "text") or answer("text"), strings JSON-quoted (single quotes accepted). Null when there is none.
    /// </summary>
    public static WebAction? ParseAction(string reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        foreach (Match m in ActionPattern().Matches(reply))
        {
            var kind = m.Groups["kind"].Value.ToLowerInvariant();
            var id = m.Groups["id"].Success ? int.Parse(m.Groups["id"].Value, CultureInfo.InvariantCulture) : (int?)null;
            var text = m.Groups["dq"].Success ? Unescape(m.Groups["dq"].Value, '"')
                : m.Groups["sq"].Success ? Unescape(m.Groups["sq"].Value, '\'')
                : null;
            var valid = kind switch
            {
                "click" => id is not null && text is null,
                "answer" => id is null && text is not null,
                _ => id is not null && text is not null,
            };
            if (valid)
            {
                return new WebAction(kind, id, text);
            }
        }

        return null;
    }

    /// <summary>Asks for the next action; the parsed action, or null when the reply held none (with the reply).</summary>
    public async Task<(WebAction? Action, string Reply)> NextActionAsync(
        WebObservation observation, IReadOnlyList<string>? history = null, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await client.GetResponseAsync(Prompt(observation, history), options, cancellationToken);
        return (ParseAction(response.Text), response.Text);
    }

    private static string Unescape(string body, char quote)
    {
        var text = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\\' && i + 1 < body.Length)
            {
                var next = body[++i];
                text.Append(next switch { 'n' => '\n', 't' => '\t', _ => next });
            }
            else
            {
                text.Append(body[i]);
            }
        }

        _ = quote;
        return text.ToString();
    }

    [GeneratedRegex("""(?<kind>click|fill|select|answer)\s*\(\s*(?:(?<id>\d+)\s*)?(?:,?\s*(?:"(?<dq>(?:[^"\\]|\\.)*)"|'(?<sq>(?:[^'\\]|\\.)*)')\s*)?\)""", RegexOptions.IgnoreCase)]
    private static partial Regex ActionPattern();
}
