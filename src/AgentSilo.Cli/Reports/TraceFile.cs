using System.Globalization;
using System.Text.Json;

namespace AgentSilo.Cli.Reports;

/// <summary>One span read back from <c>traces.jsonl</c>.</summary>
internal sealed record SpanRecord(
    string TraceId, string SpanId, string? ParentId, string Name, string Kind, string Source, DateTime Start, double DurationMs,
    string Status, IReadOnlyDictionary<string, JsonElement> Attributes, IReadOnlyList<SpanEventRecord> Events,
    IReadOnlyList<(string TraceId, string SpanId)> Links)
{
    public string? Attribute(string key) => Attributes.TryGetValue(key, out var v)
        ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
        : null;
}

internal sealed record SpanEventRecord(string Name, IReadOnlyDictionary<string, JsonElement> Attributes);

/// <summary>Reads the JSON-lines span file; a line cut short by a killed process is skipped.</summary>
internal static class TraceFile
{
    public static List<SpanRecord> Read(string path)
    {
        var spans = new List<SpanRecord>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                spans.Add(new SpanRecord(
                    r.GetProperty("trace_id").GetString()!,
                    r.GetProperty("span_id").GetString()!,
                    r.GetProperty("parent_id").GetString(),
                    r.GetProperty("name").GetString()!,
                    r.GetProperty("kind").GetString()!,
                    r.GetProperty("source").GetString()!,
                    DateTime.Parse(r.GetProperty("start").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                    r.GetProperty("duration_ms").GetDouble(),
                    r.GetProperty("status").GetString()!,
                    Attributes(r.GetProperty("attributes")),
                    r.GetProperty("events").EnumerateArray()
                        .Select(e => new SpanEventRecord(e.GetProperty("name").GetString()!, Attributes(e.GetProperty("attributes"))))
                        .ToList(),
                    r.GetProperty("links").EnumerateArray()
                        .Select(l => (l.GetProperty("trace_id").GetString()!, l.GetProperty("span_id").GetString()!))
                        .ToList()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                // a torn last line
            }
        }

        return spans;
    }

    private static Dictionary<string, JsonElement> Attributes(JsonElement element) =>
        element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
}
