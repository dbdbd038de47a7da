namespace AgentSilo.Web;

/// <summary>
/// What an agent sees after a reset or a step: the goal, where the page is, and a compact list of the page's visible
/// interactive and text elements. Plain data (no Playwright types), serializable as JSON, so policies, world models and
/// grains can pass it around freely.
/// </summary>
/// <remarks>
/// Element ids are stable across steps for the same DOM element: they are stored on the element itself as a
/// <c>data-agentsilo-id</c> attribute, assigned once, in document order, by a script injected into the page. A new
/// document (a navigation) numbers its elements afresh from 1. Actions name elements by these ids:
/// <c>click(3)</c>, <c>fill(5, "Alice")</c>; see <see cref="WebAction"/>.
/// </remarks>
/// <param name="Goal">The task's goal text for this episode (randomized fields already filled in).</param>
/// <param name="Url">The page's URL.</param>
/// <param name="Title">The document title.</param>
/// <param name="Elements">Visible interactive and text elements in document order.</param>
/// <param name="Step">Steps taken so far in the episode (0 after a reset).</param>
/// <param name="LastActionError">Why the previous action failed (malformed, unknown id, blocked URL, timed out...); null when it succeeded.</param>
/// <param name="AccessibilityTree">The page's accessibility tree as YAML-like text (Playwright's aria snapshot), only when asked for.</param>
/// <param name="Screenshot">A PNG of the viewport, only when asked for.</param>
public sealed record WebObservation(
    string Goal,
    string Url,
    string Title,
    IReadOnlyList<WebElement> Elements,
    int Step,
    string? LastActionError = null,
    string? AccessibilityTree = null,
    byte[]? Screenshot = null)
{
    /// <summary>The element with <paramref name="id"/>, or null.</summary>
    public WebElement? Find(int id)
    {
        foreach (var e in Elements)
        {
            if (e.Id == id)
            {
                return e;
            }
        }

        return null;
    }

    /// <summary>A compact text rendering, one element per line (what `agentsilo web check` prints and a language model could read).</summary>
    public string ToText()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("goal: ").AppendLine(Goal);
        sb.Append("url: ").AppendLine(Url);
        if (Title.Length > 0)
        {
            sb.Append("title: ").AppendLine(Title);
        }

        if (LastActionError is not null)
        {
            sb.Append("last_action_error: ").AppendLine(LastActionError);
        }

        foreach (var e in Elements)
        {
            sb.AppendLine(e.ToText());
        }

        return sb.ToString();
    }
}

/// <summary>One visible element of the page.</summary>
/// <param name="Id">The stable id (the element's <c>data-agentsilo-id</c>); actions refer to it.</param>
/// <param name="Role">The ARIA role: explicit <c>role</c>, else the implicit one (button, link, textbox, checkbox, radio, combobox, heading, ...), else "text".</param>
/// <param name="Tag">The lower-case tag name (input, button, a, select, p, ...).</param>
/// <param name="Text">Visible text, whitespace collapsed, at most 100 characters; for inputs, the label/placeholder/aria-label.</param>
/// <param name="Value">The current value of inputs, textareas and selects; null for other elements.</param>
/// <param name="Interactive">Whether actions other than reading apply (links, buttons, form fields, elements with a click handler role).</param>
/// <param name="Checked">Checkbox/radio/aria-checked state; null when not checkable.</param>
/// <param name="Disabled">Disabled (attribute or aria-disabled).</param>
/// <param name="Selected">aria-selected or a selected option; null when not applicable.</param>
/// <param name="Expanded">aria-expanded or an open details element; null when not applicable.</param>
/// <param name="InputType">The <c>type</c> of an input (text, email, password, checkbox, ...); null for other elements.</param>
/// <param name="Options">A select's option values and texts as "value=text" when they differ, else the text; null for other elements.</param>
public sealed record WebElement(
    int Id,
    string Role,
    string Tag,
    string Text,
    string? Value = null,
    bool Interactive = false,
    bool? Checked = null,
    bool Disabled = false,
    bool? Selected = null,
    bool? Expanded = null,
    string? InputType = null,
    IReadOnlyList<string>? Options = null)
{
    /// <summary>One line: <c>[3] textbox "Email" value="a@b.c" (required)</c>.</summary>
    public string ToText()
    {
        var sb = new System.Text.StringBuilder();
        sb.Append('[').Append(Id).Append("] ").Append(Role);
        if (Text.Length > 0)
        {
            sb.Append(" \"").Append(Text).Append('"');
        }

        if (Value is not null)
        {
            sb.Append(" value=\"").Append(Value).Append('"');
        }

        if (Checked is { } c)
        {
            sb.Append(c ? " checked" : " unchecked");
        }

        if (Disabled)
        {
            sb.Append(" disabled");
        }

        if (Selected is true)
        {
            sb.Append(" selected");
        }

        if (Expanded is { } x)
        {
            sb.Append(x ? " expanded" : " collapsed");
        }

        if (Options is { Count: > 0 })
        {
            sb.Append(" options=[").Append(string.Join(", ", Options)).Append(']');
        }

        return sb.ToString();
    }
}

/// <summary>What a step returns: the next observation, the reward the task's check gave, and whether the episode is over.</summary>
/// <param name="Observation">The page after the action (its <see cref="WebObservation.LastActionError"/> says if the action failed).</param>
/// <param name="Reward">The task's reward after this step (0 until the check passes; 1 for success unless a js check returns another number).</param>
/// <param name="Done">The episode is over: success (reward at least 1), an <c>answer(...)</c>, the step limit, or a timeout.</param>
/// <param name="Outcome">Why it ended, or <see cref="WebEpisodeOutcome.Running"/>.</param>
public sealed record WebStepResult(WebObservation Observation, double Reward, bool Done, WebEpisodeOutcome Outcome);

/// <summary>How an episode ended. The numbers are part of the grain wire format: never renumber, only add.</summary>
public enum WebEpisodeOutcome
{
    /// <summary>Not over.</summary>
    Running = 0,

    /// <summary>The task's check gave a reward of at least 1.</summary>
    Success = 1,

    /// <summary>The agent answered and the check did not pass.</summary>
    Answered = 2,

    /// <summary>Out of steps.</summary>
    StepLimit = 3,

    /// <summary>The page hung past the per-action timeout, or the episode ran past its time limit; the page was abandoned.</summary>
    TimedOut = 4,

    /// <summary>The browser went away (crashed or closed) under the episode.</summary>
    Crashed = 5,
}
