using AgentSilo.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentSilo.Hosting.Telemetry;

/// <summary>The local files' names under <see cref="TelemetryOptions.FileDirectory"/>.</summary>
public static class TelemetryFiles
{
    public const string Traces = "traces.jsonl";
    public const string Metrics = "metrics.jsonl";
    public const string Logs = "logs.jsonl";
}

/// <summary>Registers AgentSilo's telemetry: OpenTelemetry traces, metrics and logs, and Orleans' trace propagation.</summary>
public static class TelemetryHostingExtensions
{
    /// <summary>
    /// Trace context through every grain call (<c>Microsoft.Orleans.Application</c> spans on both sides), so the client's span
    /// and every grain's span share a trace. Pair with the host's <see cref="AddAgentSiloTelemetry(IHostApplicationBuilder, Action{TelemetryOptions}?)"/>.
    /// </summary>
    public static ISiloBuilder AddAgentSiloTelemetry(this ISiloBuilder builder) => builder.AddActivityPropagation();

    /// <summary>The client-side twin of <see cref="AddAgentSiloTelemetry(ISiloBuilder)"/>, for an external cluster client.</summary>
    public static IClientBuilder AddAgentSiloTelemetry(this IClientBuilder builder) => builder.AddActivityPropagation();

    /// <summary>
    /// OpenTelemetry for the host: every <c>AgentSilo.*</c> source and meter plus Orleans' grain-call spans, exported to OTLP,
    /// the console and/or local JSON-lines files as <paramref name="configure"/> (over the <c>OTEL_*</c> environment variables)
    /// says; logs carry their trace and span ids. Options are validated here, since the exporters depend on them.
    /// </summary>
    public static IHostApplicationBuilder AddAgentSiloTelemetry(this IHostApplicationBuilder builder, Action<TelemetryOptions>? configure = null)
    {
        var options = TelemetryOptions.FromEnvironment(Environment.GetEnvironmentVariable);
        configure?.Invoke(options);
        var validator = new TelemetryOptionsValidator();
        var validation = validator.Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(TelemetryOptions), typeof(TelemetryOptions), validation.Failures);
        }

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>());
        builder.Services.AddSingleton(new GenAiContentCapture(options.CaptureMessageContent));
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (!options.HasExporter)
        {
            return builder;
        }

        if (options.FileDirectory is not null)
        {
            Directory.CreateDirectory(options.FileDirectory);
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName))
            .WithTracing(tracing =>
            {
                tracing.AddSource(AgentSiloTelemetry.Wildcard, AgentSiloTelemetry.OrleansApplication).SetSampler(new AgentSiloSampler(options));
                if (options.OrleansRuntimeSpans)
                {
                    tracing.AddSource(AgentSiloTelemetry.OrleansRuntime);
                }

                if (options.FileDirectory is not null)
                {
                    tracing.AddProcessor(new BatchActivityExportProcessor(
                        new JsonLinesSpanExporter(Path.Combine(options.FileDirectory, TelemetryFiles.Traces)), maxQueueSize: 16384, scheduledDelayMilliseconds: 1000));
                }

                if (options.OtlpEndpoint is not null)
                {
                    tracing.AddOtlpExporter(o => ConfigureOtlp(o, options, "traces"));
                }

                if (options.Console)
                {
                    tracing.AddConsoleExporter();
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(AgentSiloTelemetry.Wildcard);
                if (options.RuntimeMetrics)
                {
                    metrics.AddRuntimeInstrumentation();
                }

                var interval = (int)options.MetricExportInterval.TotalMilliseconds;
                if (options.FileDirectory is not null)
                {
                    metrics.AddReader(new PeriodicExportingMetricReader(
                        new JsonLinesMetricExporter(Path.Combine(options.FileDirectory, TelemetryFiles.Metrics)), interval));
                }

                if (options.OtlpEndpoint is not null)
                {
                    metrics.AddOtlpExporter((o, reader) =>
                    {
                        ConfigureOtlp(o, options, "metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
                    });
                }

                if (options.Console)
                {
                    metrics.AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval);
                }
            })
            .WithLogging(
                logging =>
                {
                    if (options.FileDirectory is not null)
                    {
                        logging.AddProcessor(new BatchLogRecordExportProcessor(new JsonLinesLogExporter(Path.Combine(options.FileDirectory, TelemetryFiles.Logs))));
                    }

                    if (options.OtlpEndpoint is not null)
                    {
                        logging.AddOtlpExporter(o => ConfigureOtlp(o, options, "logs"));
                    }

                    if (options.Console)
                    {
                        logging.AddConsoleExporter();
                    }
                },
                o => o.IncludeFormattedMessage = true);

        // AgentSilo's own informational logs reach the exporters even where the console shows warnings only.
        builder.Logging.AddFilter<OpenTelemetryLoggerProvider>("AgentSilo", LogLevel.Information);
        return builder;
    }

    /// <summary>Flushes spans, metrics and logs still buffered (end of a run, Ctrl-C): waits at most <paramref name="timeout"/> for each.</summary>
    public static void FlushTelemetry(this IServiceProvider services, TimeSpan timeout)
    {
        var ms = (int)timeout.TotalMilliseconds;
        services.GetService<TracerProvider>()?.ForceFlush(ms);
        services.GetService<MeterProvider>()?.ForceFlush(ms);
        services.GetService<LoggerProvider>()?.ForceFlush(ms);
    }

    /// <summary>
    /// Sets endpoint, protocol and headers. A base endpoint given for HTTP gets the signal's path (/v1/traces ...), as the
    /// environment variable would.
    /// </summary>
    private static void ConfigureOtlp(OtlpExporterOptions o, TelemetryOptions options, string signal)
    {
        var endpoint = options.OtlpEndpoint!;
        if (options.OtlpProtocol == OtlpExportProtocol.HttpProtobuf && !endpoint.AbsolutePath.EndsWith($"/v1/{signal}", StringComparison.Ordinal))
        {
            endpoint = new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + $"/v1/{signal}");
        }

        o.Endpoint = endpoint;
        o.Protocol = options.OtlpProtocol;
        if (options.OtlpHeaders is not null)
        {
            o.Headers = options.OtlpHeaders;
        }
    }
}
