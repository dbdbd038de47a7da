using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace AgentSilo.Web.Tasks;

/// <summary>A web task spec that cannot be used; the message names every wrong field (with its line) and why.</summary>
public sealed class WebTaskSpecException(string message) : Exception(message);

/// <summary>Reads and validates user web task specs (YAML, or JSON, which is YAML too).</summary>
public static partial class WebTaskSpecLoader
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>Reads and validates a spec file; a local start page resolves relative to the file's directory.</summary>
    public static WebTaskSpecSource LoadFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new WebTaskSpecException($"{path}: no such task spec file");
        }

        var full = Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), Path.GetDirectoryName(full)!, path);
    }

    /// <summary>Parses and validates spec text; <paramref name="baseDirectory"/> resolves a relative start page, <paramref name="source"/> names it in errors.</summary>
    public static WebTaskSpecSource Parse(string text, string baseDirectory, string source = "task spec")
    {
        WebTaskSpec? spec;
        try
        {
            spec = Yaml.Deserialize<WebTaskSpec>(text);
        }
        catch (YamlException e)
        {
            throw new WebTaskSpecException($"{source}:{e.Start.Line}:{e.Start.Column}: {Describe(e)}");
        }

        if (spec is null)
        {
            throw new WebTaskSpecException($"{source}: the task spec is empty");
        }

        var lines = FieldLines(text);
        var errors = Validate(spec, baseDirectory, out var startUrl)
            .Select(e => lines.TryGetValue(e.Field, out var line) ? $"{e.Field} (line {line}): {e.Problem}" : $"{e.Field}: {e.Problem}")
            .ToList();
        if (errors.Count > 0)
        {
            throw new WebTaskSpecException($"{source}: invalid task spec:\n  " + string.Join("\n  ", errors));
        }

        return new WebTaskSpecSource(spec, startUrl!);
    }

    /// <summary>Every problem with the spec as (field, problem); empty when it can run. Also resolves the start URL.</summary>
    public static IReadOnlyList<(string Field, string Problem)> Validate(WebTaskSpec spec, string baseDirectory, out string? startUrl)
    {
        var errors = new List<(string, string)>();
        void Check(bool ok, string field, string problem)
        {
            if (!ok)
            {
                errors.Add((field, problem));
            }
        }

        Check(IdPattern().IsMatch(spec.Id ?? ""), "id", $"must be 1-64 letters, digits, '-', '_' or '.', got '{spec.Id}'");
        startUrl = ResolveStartUrl(spec.StartUrl, baseDirectory, out var urlError);
        if (urlError is not null)
        {
            errors.Add(("start_url", urlError));
        }

        Check(!string.IsNullOrWhiteSpace(spec.Goal), "goal", "must say what the agent should do");
        spec.Fields ??= [];
        foreach (var (name, values) in spec.Fields)
        {
            Check(FieldPattern().IsMatch(name), $"fields.{name}", "a field name must be letters, digits or '_', starting with a letter");
            Check(values is { Count: > 0 }, $"fields.{name}", "must list at least one value");
        }

        foreach (Match m in Placeholder().Matches(spec.Goal ?? ""))
        {
            Check(spec.Fields.ContainsKey(m.Groups[1].Value), "goal", $"placeholder {{{m.Groups[1].Value}}} names no field; fields: {string.Join(", ", spec.Fields.Keys)}");
        }

        spec.AllowedOrigins ??= [];
        for (var i = 0; i < spec.AllowedOrigins.Count; i++)
        {
            Check(WebOrigins.TryNormalize(spec.AllowedOrigins[i], out _), $"allowed_origins[{i}]",
                $"must be an origin like http://127.0.0.1:8080 (scheme, host, optional port, no path), got '{spec.AllowedOrigins[i]}'");
        }

        Check(spec.MaxSteps is >= 1 and <= 1000, "max_steps", $"must be between 1 and 1000, got {spec.MaxSteps}");

        var s = spec.Success;
        if (s is null)
        {
            errors.Add(("success", "is required: one of js, element, url, answer"));
            return errors;
        }

        var kinds = (s.Js is not null ? 1 : 0) + (s.Element is not null ? 1 : 0) + (s.Url is not null ? 1 : 0) + (s.Answer is not null ? 1 : 0);
        Check(kinds == 1, "success", $"must set exactly one of js, element, url, answer; got {kinds}");
        Check(s.Js is null || s.Js.Trim().Length > 0, "success.js", "must be a JavaScript expression");
        if (s.Element is { } el)
        {
            Check(!string.IsNullOrWhiteSpace(el.Selector), "success.element.selector", "must be a CSS selector");
            Check(el.Property is "text" or "value", "success.element.property", $"must be text or value, got '{el.Property}'");
            CheckMatch(el, "success.element", spec, errors);
        }

        if (s.Url is { } url)
        {
            CheckMatch(url, "success.url", spec, errors);
        }

        if (s.Answer is { } answer)
        {
            CheckMatch(answer, "success.answer", spec, errors);
        }

        return errors;
    }

    private static void CheckMatch(WebMatchSpec m, string field, WebTaskSpec spec, List<(string, string)> errors)
    {
        var set = (m.EqualTo is not null ? 1 : 0) + (m.Contains is not null ? 1 : 0) + (m.Regex is not null ? 1 : 0);
        if (set != 1)
        {
            errors.Add((field, $"must set exactly one of equals, contains, regex; got {set}"));
        }

        foreach (var (value, name) in new[] { (m.EqualTo, "equals"), (m.Contains, "contains"), (m.Regex, "regex") })
        {
            foreach (Match p in Placeholder().Matches(value ?? ""))
            {
                if (!spec.Fields.ContainsKey(p.Groups[1].Value))
                {
                    errors.Add(($"{field}.{name}", $"placeholder {{{p.Groups[1].Value}}} names no field"));
                }
            }
        }

        if (m.Regex is not null)
        {
            try
            {
                _ = new Regex(Placeholder().Replace(m.Regex, "x"));
            }
            catch (ArgumentException e)
            {
                errors.Add(($"{field}.regex", $"is not a valid regular expression: {e.Message}"));
            }
        }
    }

    /// <summary>An absolute http(s) or file URL for <paramref name="startUrl"/>, or null with the reason.</summary>
    public static string? ResolveStartUrl(string? startUrl, string baseDirectory, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(startUrl))
        {
            error = "must be an http(s) URL or a local HTML file";
            return null;
        }

        if (Uri.TryCreate(startUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file")
        {
            if (uri.IsFile && !File.Exists(uri.LocalPath))
            {
                error = $"no such file: {uri.LocalPath}";
                return null;
            }

            return uri.AbsoluteUri;
        }

        if (startUrl.Contains("://", StringComparison.Ordinal))
        {
            error = $"only http, https and file URLs are supported, got '{startUrl}'";
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(baseDirectory, startUrl));
        if (!File.Exists(path))
        {
            error = $"no such file: {path} (a local path resolves relative to the spec file)";
            return null;
        }

        return new Uri(path).AbsoluteUri;
    }

    /// <summary>Fills <c>{field}</c> placeholders with <paramref name="values"/>; names that are not fields stay as written.</summary>
    public static string Fill(string text, IReadOnlyDictionary<string, string> values, Func<string, string>? escape = null) =>
        Placeholder().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var v) ? (escape?.Invoke(v) ?? v) : m.Value);

    // The line of each field (dotted path, as errors name it), so errors can point at it.
    private static Dictionary<string, int> FieldLines(string text)
    {
        var lines = new Dictionary<string, int>();
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count > 0)
            {
                Walk(stream.Documents[0].RootNode, "", lines);
            }
        }
        catch (YamlException)
        {
            // Lines are a courtesy; the deserializer has already accepted the text.
        }

        return lines;
    }

    private static void Walk(YamlNode node, string path, Dictionary<string, int> lines)
    {
        if (path.Length > 0)
        {
            lines.TryAdd(path, (int)node.Start.Line);
        }

        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (k, v) in map.Children)
                {
                    var key = ((YamlScalarNode)k).Value ?? "";
                    var child = path.Length == 0 ? key : $"{path}.{key}";
                    lines.TryAdd(child, (int)k.Start.Line);
                    Walk(v, child, lines);
                }

                break;
            case YamlSequenceNode seq:
                for (var i = 0; i < seq.Children.Count; i++)
                {
                    Walk(seq.Children[i], $"{path}[{i}]", lines);
                }

                break;
        }
    }

    private static string Describe(YamlException e)
    {
        var inner = e.InnerException?.Message ?? e.Message;
        var unknown = UnknownProperty().Match(inner);
        return unknown.Success
            ? $"unknown field '{unknown.Groups[1].Value}' (fields: id, start_url, goal, fields, allowed_origins, max_steps, success)"
            : inner;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$")]
    private static partial Regex FieldPattern();

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9_]*)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("Property '([^']+)' not found")]
    private static partial Regex UnknownProperty();
}
