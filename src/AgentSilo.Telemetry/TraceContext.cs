using System.Diagnostics;

namespace AgentSilo.Telemetry;

/// <summary>
/// W3C trace context carried inside messages (a trajectory's <c>traceparent</c>), so work done later and elsewhere (training on
/// it) can link back to the span that produced it.
/// </summary>
public static class TraceContext
{
    /// <summary>The current span's <c>traceparent</c>, or null when no span is being recorded.</summary>
    public static string? CurrentTraceParent()
    {
        var activity = Activity.Current;
        return activity is { IdFormat: ActivityIdFormat.W3C, Recorded: true } ? activity.Id : null;
    }

    /// <summary>The span context a <c>traceparent</c> names, or null when it is absent or malformed.</summary>
    public static ActivityContext? Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : null;

    /// <summary>Links to the distinct spans named by <paramref name="traceParents"/>, at most <paramref name="limit"/>.</summary>
    public static List<ActivityLink> Links(IEnumerable<string?> traceParents, int limit)
    {
        var links = new List<ActivityLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var traceParent in traceParents)
        {
            if (links.Count >= limit)
            {
                break;
            }

            if (traceParent is not null && seen.Add(traceParent) && Parse(traceParent) is { } context)
            {
                links.Add(new ActivityLink(context));
            }
        }

        return links;
    }
}
