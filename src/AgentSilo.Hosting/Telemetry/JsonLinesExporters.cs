using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;

namespace AgentSilo.Hosting.Telemetry;

/// <summary>
/// An exporter that appends one JSON line per item to a file and flushes each batch: <see cref="Collect"/> picks the items
/// of a record, <see cref="Write"/> writes one. A batch that cannot be written is reported as failed, never thrown.
/// </summary>
/// <typeparam name="TRecord">What OpenTelemetry exports (spans, metrics, log records).</typeparam>
/// <typeparam name="TLine">One line's data.</typeparam>
public abstract class JsonLinesExporter<TRecord, TLine>(string path) : BaseExporter<TRecord>
    where TRecord : class
{
    private readonly JsonLinesFile _file = new(path);

    public override ExportResult Export(in Batch<TRecord> batch)
    {
        var lines = new List<TLine>();
        foreach (var record in batch)
        {
            Collect(record, lines);
        }

        try
        {
            _file.Write(lines, Write);
            return ExportResult.Success;
        }
        catch (IOException)
        {
            return ExportResult.Failure;
        }
    }

    /// <summary>Adds what is written of <paramref name="record"/>; records may be pooled and reused once Export returns.</summary>
    protected abstract void Collect(TRecord record, List<TLine> lines);

    protected abstract void Write(System.Text.Json.Utf8JsonWriter w, TLine line);

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        _file.Dispose();
        return true;
    }
}

/// <summary>
/// Spans as JSON lines (<c>traces.jsonl</c>): trace id, span id, parent id, name, kind, source, start, duration, status,
/// attributes, events, links. What `agentsilo trace` reads; used behind a batch processor.
/// </summary>
public sealed class JsonLinesSpanExporter(string path) : JsonLinesExporter<Activity, Activity>(path)
{
    protected override void Collect(Activity record, List<Activity> lines) => lines.Add(record);

    protected override void Write(System.Text.Json.Utf8JsonWriter w, Activity a)
    {
        w.WriteStartObject();
        w.WriteString("trace_id", a.TraceId.ToHexString());
        w.WriteString("span_id", a.SpanId.ToHexString());
        if (a.ParentSpanId != default)
        {
            w.WriteString("parent_id", a.ParentSpanId.ToHexString());
        }
        else
        {
            w.WriteNull("parent_id");
        }

        w.WriteString("name", a.DisplayName);
        w.WriteString("kind", a.Kind.ToString().ToLowerInvariant());
        w.WriteString("source", a.Source.Name);
        w.WriteString("start", a.StartTimeUtc.ToString("O", CultureInfo.InvariantCulture));
        w.WriteNumber("duration_ms", Math.Round(a.Duration.TotalMilliseconds, 3));
        w.WriteString("status", a.Status.ToString().ToLowerInvariant());
        if (a.StatusDescription is not null)
        {
            w.WriteString("status_description", a.StatusDescription);
        }

        JsonLinesFile.WriteAttributes(w, "attributes", a.TagObjects);
        w.WriteStartArray("events");
        foreach (var e in a.Events)
        {
            w.WriteStartObject();
            w.WriteString("name", e.Name);
            w.WriteString("time", e.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            JsonLinesFile.WriteAttributes(w, "attributes", e.Tags);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("links");
        foreach (var l in a.Links)
        {
            w.WriteStartObject();
            w.WriteString("trace_id", l.Context.TraceId.ToHexString());
            w.WriteString("span_id", l.Context.SpanId.ToHexString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}

/// <summary>Metric points as JSON lines (<c>metrics.jsonl</c>): one line per point per export, cumulative.</summary>
public sealed class JsonLinesMetricExporter(string path) : JsonLinesExporter<Metric, (Metric Metric, MetricPoint Point)>(path)
{
    protected override void Collect(Metric record, List<(Metric Metric, MetricPoint Point)> lines)
    {
        foreach (ref readonly var point in record.GetMetricPoints())
        {
            lines.Add((record, point));
        }
    }

    protected override void Write(System.Text.Json.Utf8JsonWriter w, (Metric Metric, MetricPoint Point) item)
    {
        var (metric, point) = item;
        w.WriteStartObject();
        w.WriteString("name", metric.Name);
        w.WriteString("unit", metric.Unit);
        w.WriteString("meter", metric.MeterName);
        w.WriteString("type", metric.MetricType.ToString());
        w.WriteString("time", point.EndTime.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        w.WriteStartObject("attributes");
        foreach (var tag in point.Tags)
        {
            w.WritePropertyName(tag.Key);
            JsonLinesFile.WriteValue(w, tag.Value);
        }

        w.WriteEndObject();
        switch (metric.MetricType)
        {
            case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                w.WriteNumber("value", point.GetSumLong());
                break;
            case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                w.WriteNumber("value", point.GetSumDouble());
                break;
            case MetricType.LongGauge:
                w.WriteNumber("value", point.GetGaugeLastValueLong());
                break;
            case MetricType.DoubleGauge:
                w.WriteNumber("value", point.GetGaugeLastValueDouble());
                break;
            case MetricType.Histogram:
                w.WriteNumber("count", point.GetHistogramCount());
                w.WriteNumber("sum", point.GetHistogramSum());
                if (point.TryGetHistogramMinMaxValues(out var min, out var max))
                {
                    w.WriteNumber("min", min);
                    w.WriteNumber("max", max);
                }

                break;
            default:
                break;
        }

        w.WriteEndObject();
    }
}

/// <summary>Log records as JSON lines (<c>logs.jsonl</c>), each with the trace and span it was written in.</summary>
public sealed class JsonLinesLogExporter(string path) : JsonLinesExporter<LogRecord, JsonLinesLogExporter.Line>(path)
{
    // Records are pooled and reused after Export returns: copy what is written.
    protected override void Collect(LogRecord record, List<Line> lines) => lines.Add(new Line(
        record.Timestamp, record.LogLevel.ToString(), record.CategoryName, record.FormattedMessage ?? record.Body,
        record.TraceId == default ? null : record.TraceId.ToHexString(),
        record.SpanId == default ? null : record.SpanId.ToHexString(),
        record.Exception?.ToString()));

    protected override void Write(System.Text.Json.Utf8JsonWriter w, Line line)
    {
        w.WriteStartObject();
        w.WriteString("time", line.Time.ToString("O", CultureInfo.InvariantCulture));
        w.WriteString("level", line.Level);
        w.WriteString("category", line.Category);
        w.WriteString("message", line.Message);
        w.WriteString("trace_id", line.TraceId);
        w.WriteString("span_id", line.SpanId);
        if (line.Exception is not null)
        {
            w.WriteString("exception", line.Exception);
        }

        w.WriteEndObject();
    }

    /// <summary>What is kept of a log record.</summary>
    public sealed record Line(DateTime Time, string Level, string? Category, string? Message, string? TraceId, string? SpanId, string? Exception);
}
