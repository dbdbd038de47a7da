using OpenTelemetry.Exporter;

namespace AgentSilo.Hosting.Telemetry;

/// <summary>
/// Where AgentSilo's traces, metrics and logs go and how many spans are kept. Defaults come from the standard
/// <c>OTEL_*</c> environment variables where one is set (see <see cref="FromEnvironment"/>); code and command-line options
/// override them.
/// </summary>
public sealed class TelemetryOptions
{
    /// <summary>The resource's <c>service.name</c>. Default "agentsilo" (<c>OTEL_SERVICE_NAME</c>).</summary>
    public string ServiceName { get; set; } = "agentsilo";

    /// <summary>
    /// OTLP collector endpoint (e.g. http://127.0.0.1:4317 for gRPC, http://127.0.0.1:4318 for HTTP); null sends nothing over
    /// OTLP. Default null (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary>OTLP protocol. Default gRPC (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>: grpc | http/protobuf).</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>Extra OTLP headers, "key1=value1,key2=value2" (API keys). Default null (<c>OTEL_EXPORTER_OTLP_HEADERS</c>).</summary>
    public string? OtlpHeaders { get; set; }

    /// <summary>Writes spans, metrics and logs to stdout as well. Default false.</summary>
    public bool Console { get; set; }

    /// <summary>
    /// Directory for the local files: <c>traces.jsonl</c> (one span per line), <c>metrics.jsonl</c>, <c>logs.jsonl</c>;
    /// null writes none. Default null (`agentsilo run` sets its output directory).
    /// </summary>
    public string? FileDirectory { get; set; }

    /// <summary>
    /// Share of traces recorded, decided at the root span (children follow their parent). Default 1
    /// (<c>OTEL_TRACES_SAMPLER_ARG</c>, when <c>OTEL_TRACES_SAMPLER</c> is traceidratio or parentbased_traceidratio).
    /// </summary>
    public double SamplingRatio { get; set; } = 1.0;

    /// <summary>Share of <c>episode</c> spans (and everything under them) recorded within a recorded trace. Default 1.</summary>
    public double EpisodeSamplingRatio { get; set; } = 1.0;

    /// <summary>
    /// Grain methods whose calls are not traced: status polls would otherwise add two spans every few hundred milliseconds.
    /// Default ["GetStatusAsync"].
    /// </summary>
    public IList<string> UntracedMethods { get; set; } = ["GetStatusAsync"];

    /// <summary>
    /// Prompts and completions in spans (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>). Default false
    /// (<c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c>=true turns it on).
    /// </summary>
    public bool CaptureMessageContent { get; set; }

    /// <summary>Orleans' runtime spans (<c>Microsoft.Orleans.Runtime</c>: system calls, noisy). Default false.</summary>
    public bool OrleansRuntimeSpans { get; set; }

    /// <summary>.NET runtime metrics (GC, thread pool, JIT). Default false.</summary>
    public bool RuntimeMetrics { get; set; }

    /// <summary>How often metrics are exported. Default 10 s.</summary>
    public TimeSpan MetricExportInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether anything is exported at all.</summary>
    public bool HasExporter => OtlpEndpoint is not null || Console || FileDirectory is not null;

    /// <summary>Options whose defaults are read from the standard environment variables.</summary>
    public static TelemetryOptions FromEnvironment(Func<string, string?> environment)
    {
        var options = new TelemetryOptions();
        if (environment("OTEL_SERVICE_NAME") is { Length: > 0 } service)
        {
            options.ServiceName = service;
        }

        if (environment("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            options.OtlpEndpoint = uri;
        }

        options.OtlpProtocol = environment("OTEL_EXPORTER_OTLP_PROTOCOL")?.Trim().ToLowerInvariant() switch
        {
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            _ => OtlpExportProtocol.Grpc,
        };
        options.OtlpHeaders = environment("OTEL_EXPORTER_OTLP_HEADERS");
        var sampler = environment("OTEL_TRACES_SAMPLER")?.Trim().ToLowerInvariant();
        if (sampler is "always_off" or "parentbased_always_off")
        {
            options.SamplingRatio = 0;
        }
        else if (sampler is "traceidratio" or "parentbased_traceidratio"
            && double.TryParse(environment("OTEL_TRACES_SAMPLER_ARG"), System.Globalization.CultureInfo.InvariantCulture, out var ratio))
        {
            options.SamplingRatio = ratio;
        }

        options.CaptureMessageContent = AgentSilo.Telemetry.AgentSiloTelemetry.IsCaptureRequested(
            environment(AgentSilo.Telemetry.AgentSiloTelemetry.CaptureMessageContentVariable));
        return options;
    }
}
