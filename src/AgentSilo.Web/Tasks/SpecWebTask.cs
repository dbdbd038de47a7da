using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace AgentSilo.Web.Tasks;

/// <summary>A loaded, validated user spec: draws an instance per seed.</summary>
public sealed class WebTaskSpecSource(WebTaskSpec spec, string startUrl) : IWebTaskSource
{
    /// <summary>The spec as written.</summary>
    public WebTaskSpec Spec { get; } = spec;

    /// <summary>The absolute start URL (a local path resolved).</summary>
    public string StartUrl { get; } = startUrl;

    /// <inheritdoc/>
    public string Id => Spec.Id;

    /// <inheritdoc/>
    public IWebTask Create(long seed)
    {
        // Fields drawn in name order from one seeded generator, so an instance depends on the seed and the spec only.
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Spec.Fields.Keys.Order(StringComparer.Ordinal))
        {
            var options = Spec.Fields[name];
            values[name] = options[random.Next(options.Count)];
        }

        return new SpecWebTask(this, values);
    }
}

/// <summary>One instance of a user spec, its fields drawn.</summary>
public sealed class SpecWebTask : IWebTask
{
    private readonly WebSuccessSpec success;
    private readonly IReadOnlyDictionary<string, string> fields;
    private readonly string? js;

    internal SpecWebTask(WebTaskSpecSource source, IReadOnlyDictionary<string, string> fields)
    {
        var spec = source.Spec;
        this.fields = fields;
        success = spec.Success!;
        Id = spec.Id;
        Goal = WebTaskSpecLoader.Fill(spec.Goal, fields);
        StartUrl = source.StartUrl;
        AllowedOrigins = [.. spec.AllowedOrigins.Select(o => WebOrigins.TryNormalize(o, out var n) ? n : o)];
        MaxSteps = spec.MaxSteps;
        if (success.Js is { } expression)
        {
            js = $"(fields) => ({WebTaskSpecLoader.Fill(expression, fields)})";
        }
    }

    /// <summary>The drawn fields.</summary>
    public IReadOnlyDictionary<string, string> Fields => fields;

    /// <inheritdoc/>
    public string Id { get; }

    /// <inheritdoc/>
    public string Goal { get; }

    /// <inheritdoc/>
    public string StartUrl { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> AllowedOrigins { get; }

    /// <inheritdoc/>
    public int MaxSteps { get; }

    /// <inheritdoc/>
    public async Task<double> CheckAsync(IPage page, string? answer, CancellationToken cancellationToken = default)
    {
        if (js is not null)
        {
            JsonElement? result;
            try
            {
                result = await page.EvaluateAsync(js, fields).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PlaywrightException)
            {
                return 0; // a throwing expression (or a page mid-navigation) is no success
            }

            return result switch
            {
                { ValueKind: JsonValueKind.True } => 1,
                { ValueKind: JsonValueKind.Number } n when double.IsFinite(n.GetDouble()) => n.GetDouble(),
                _ => 0,
            };
        }

        if (success.Url is { } url)
        {
            return Matches(url, page.Url) ? 1 : 0;
        }

        if (success.Answer is { } expected)
        {
            return answer is not null && Matches(expected, answer) ? 1 : 0;
        }

        var element = success.Element!;
        string? actual;
        try
        {
            actual = await page.EvaluateAsync<string?>(
                """
                ([selector, property]) => {
                  const e = document.querySelector(selector);
                  if (!e) return null;
                  return property === 'value' ? (e.value ?? '') : (e.innerText ?? e.textContent ?? '');
                }
                """,
                new[] { element.Selector, element.Property }).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PlaywrightException)
        {
            return 0;
        }

        return actual is not null && Matches(element, actual) ? 1 : 0;
    }

    private bool Matches(WebMatchSpec m, string actual)
    {
        var comparison = m.IgnoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var text = Collapse(actual);
        if (m.EqualTo is { } eq)
        {
            return string.Equals(text, Collapse(WebTaskSpecLoader.Fill(eq, fields)), comparison);
        }

        if (m.Contains is { } contains)
        {
            return text.Contains(Collapse(WebTaskSpecLoader.Fill(contains, fields)), comparison);
        }

        var pattern = WebTaskSpecLoader.Fill(m.Regex!, fields, Regex.Escape);
        return Regex.IsMatch(actual, pattern, (m.IgnoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1));
    }

    private static string Collapse(string s) => string.Join(' ', s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The instance in one line, for logs.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Id} [{string.Join(", ", fields.Select(f => $"{f.Key}={f.Value}"))}]");
}
