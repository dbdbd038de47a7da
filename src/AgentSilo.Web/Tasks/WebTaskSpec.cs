using YamlDotNet.Serialization;

namespace AgentSilo.Web.Tasks;

/// <summary>
/// A web task a user attaches: a YAML or JSON file with snake_case fields. Load it with <see cref="WebTaskSpecLoader"/>,
/// which validates it and resolves a local start page relative to the spec file. See the README's "Web tasks".
/// </summary>
public sealed class WebTaskSpec
{
    /// <summary>The task id: letters, digits, - _ .</summary>
    public string Id { get; set; } = "";

    /// <summary>An http(s) URL, a file URL, or a path to a local HTML file (relative to the spec file).</summary>
    public string StartUrl { get; set; } = "";

    /// <summary>The goal text; <c>{field}</c> placeholders are filled from <see cref="Fields"/>.</summary>
    public string Goal { get; set; } = "";

    /// <summary>Randomized fields: each name maps to the values one is drawn from, per seed.</summary>
    public Dictionary<string, List<string>> Fields { get; set; } = [];

    /// <summary>Origins (scheme://host[:port]) the page may reach besides the start URL's own.</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>Steps before an episode ends. Default 20.</summary>
    public int MaxSteps { get; set; } = 20;

    /// <summary>How success is checked: exactly one of js, element, url, answer.</summary>
    public WebSuccessSpec? Success { get; set; }
}

/// <summary>A success check; exactly one member is set.</summary>
public sealed class WebSuccessSpec
{
    /// <summary>A JavaScript expression evaluated in the page: a number is the reward, true is 1, anything else 0. <c>fields</c> holds the drawn fields.</summary>
    public string? Js { get; set; }

    /// <summary>An element's text or value matching.</summary>
    public WebElementCheckSpec? Element { get; set; }

    /// <summary>The page URL matching.</summary>
    public WebMatchSpec? Url { get; set; }

    /// <summary>The agent's <c>answer(...)</c> matching.</summary>
    public WebMatchSpec? Answer { get; set; }
}

/// <summary>A string match: exactly one of equals, contains, regex. <c>{field}</c> placeholders are filled in (regex-escaped in a regex).</summary>
public class WebMatchSpec
{
    /// <summary>The whole string equals this (after trimming and collapsing whitespace).</summary>
    [YamlMember(Alias = "equals")]
    public string? EqualTo { get; set; }

    /// <summary>The string contains this.</summary>
    public string? Contains { get; set; }

    /// <summary>The string matches this .NET regular expression.</summary>
    public string? Regex { get; set; }

    /// <summary>Compare ignoring case. Default false.</summary>
    public bool IgnoreCase { get; set; }
}

/// <summary>An element check: the first element matching <see cref="Selector"/>, its text or value matched.</summary>
public sealed class WebElementCheckSpec : WebMatchSpec
{
    /// <summary>A CSS selector.</summary>
    public string Selector { get; set; } = "";

    /// <summary>text (the element's visible text) or value (a form field's value). Default text.</summary>
    public string Property { get; set; } = "text";
}
