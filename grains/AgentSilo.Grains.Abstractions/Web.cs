using AgentSilo.Web;

namespace AgentSilo.Grains;

/// <summary>
/// One web episode's browser context, on the shared Chromium of the silo it lives on. Keyed by episode id. Every call
/// is bounded by the silo's step timeout (<c>WebBrowserOptions.StepTimeout</c>, at most 20 s), well inside the 30 s
/// grain-call timeout: a page that hangs is abandoned and the episode ends as timed out.
/// </summary>
public interface IWebEnvironmentGrain : IGrainWithStringKey
{
    /// <summary>Closes any episode under way and starts a new one: its first observation, reward 0.</summary>
    /// <exception cref="ArgumentException">The task reference is unknown or its spec is invalid (the message names the field).</exception>
    Task<WebStepResult> ResetAsync(WebResetRequest request);

    /// <summary>One action in <see cref="WebAction"/>'s text form; a bad action comes back as the observation's last_action_error.</summary>
    Task<WebStepResult> StepAsync(string action);

    /// <summary>Closes the episode's context and lets the grain deactivate.</summary>
    Task CloseAsync();
}

/// <summary>What episode to start.</summary>
/// <param name="Task">A task spec file path (as the silo sees it) or a built-in task's name.</param>
/// <param name="Seed">The instance's seed.</param>
/// <param name="AccessibilityTree">Observations carry the accessibility tree.</param>
/// <param name="Screenshot">Observations carry a PNG screenshot.</param>
[GenerateSerializer, Immutable, Alias("AgentSilo.WebResetRequest")]
public sealed record WebResetRequest(
    [property: Id(0)] string Task,
    [property: Id(1)] long Seed,
    [property: Id(2)] bool AccessibilityTree = false,
    [property: Id(3)] bool Screenshot = false);

[GenerateSerializer, Alias("AgentSilo.WebElement")]
public struct WebElementSurrogate
{
    [Id(0)] public int Id;
    [Id(1)] public string Role;
    [Id(2)] public string Tag;
    [Id(3)] public string Text;
    [Id(4)] public string? Value;
    [Id(5)] public bool Interactive;
    [Id(6)] public bool? Checked;
    [Id(7)] public bool Disabled;
    [Id(8)] public bool? Selected;
    [Id(9)] public bool? Expanded;
    [Id(10)] public string? InputType;
    [Id(11)] public List<string>? Options;
}

[RegisterConverter]
public sealed class WebElementConverter : IConverter<WebElement, WebElementSurrogate>
{
    public WebElement ConvertFromSurrogate(in WebElementSurrogate s) =>
        new(s.Id, s.Role, s.Tag, s.Text, s.Value, s.Interactive, s.Checked, s.Disabled, s.Selected, s.Expanded, s.InputType, s.Options);

    public WebElementSurrogate ConvertToSurrogate(in WebElement e) => new()
    {
        Id = e.Id,
        Role = e.Role,
        Tag = e.Tag,
        Text = e.Text,
        Value = e.Value,
        Interactive = e.Interactive,
        Checked = e.Checked,
        Disabled = e.Disabled,
        Selected = e.Selected,
        Expanded = e.Expanded,
        InputType = e.InputType,
        Options = e.Options is null ? null : [.. e.Options],
    };
}

[GenerateSerializer, Alias("AgentSilo.WebObservation")]
public struct WebObservationSurrogate
{
    [Id(0)] public string Goal;
    [Id(1)] public string Url;
    [Id(2)] public string Title;
    [Id(3)] public List<WebElement> Elements;
    [Id(4)] public int Step;
    [Id(5)] public string? LastActionError;
    [Id(6)] public string? AccessibilityTree;
    [Id(7)] public byte[]? Screenshot;
}

[RegisterConverter]
public sealed class WebObservationConverter : IConverter<WebObservation, WebObservationSurrogate>
{
    public WebObservation ConvertFromSurrogate(in WebObservationSurrogate s) =>
        new(s.Goal, s.Url, s.Title, s.Elements, s.Step, s.LastActionError, s.AccessibilityTree, s.Screenshot);

    public WebObservationSurrogate ConvertToSurrogate(in WebObservation o) => new()
    {
        Goal = o.Goal,
        Url = o.Url,
        Title = o.Title,
        Elements = [.. o.Elements],
        Step = o.Step,
        LastActionError = o.LastActionError,
        AccessibilityTree = o.AccessibilityTree,
        Screenshot = o.Screenshot,
    };
}

[GenerateSerializer, Alias("AgentSilo.WebStepResult")]
public struct WebStepResultSurrogate
{
    [Id(0)] public WebObservation Observation;
    [Id(1)] public double Reward;
    [Id(2)] public bool Done;
    [Id(3)] public int Outcome; // WebEpisodeOutcome; numbered explicitly there, so the wire value is stable
}

[RegisterConverter]
public sealed class WebStepResultConverter : IConverter<WebStepResult, WebStepResultSurrogate>
{
    public WebStepResult ConvertFromSurrogate(in WebStepResultSurrogate s) => new(s.Observation, s.Reward, s.Done, (WebEpisodeOutcome)s.Outcome);

    public WebStepResultSurrogate ConvertToSurrogate(in WebStepResult r) =>
        new() { Observation = r.Observation, Reward = r.Reward, Done = r.Done, Outcome = (int)r.Outcome };
}
