using System.CommandLine;
using AgentSilo.Hosting.Telemetry;

namespace AgentSilo.Cli;

/// <summary>What `agentsilo run` was asked to do with telemetry.</summary>
internal sealed record TelemetryChoice(bool File, bool Otlp, bool Console, Uri? OtlpEndpoint, double? Sampling, bool CaptureContent, string? Error)
{
    public bool Off => !File && !Otlp && !Console;

    /// <summary>The host's telemetry settings; null (no OpenTelemetry at all) when everything is off.</summary>
    public Action<TelemetryOptions>? Configure(string outDir)
    {
        if (Off && OtlpEndpoint is null)
        {
            return null;
        }

        return o =>
        {
            o.FileDirectory = File ? outDir : null;
            o.Console = Console;
            if (OtlpEndpoint is not null)
            {
                o.OtlpEndpoint = OtlpEndpoint;
            }
            else if (Otlp && o.OtlpEndpoint is null)
            {
                o.OtlpEndpoint = new Uri("http://127.0.0.1:4317"); // a local collector's default gRPC port
            }

            if (Sampling is { } ratio)
            {
                o.SamplingRatio = ratio;
            }

            o.CaptureMessageContent |= CaptureContent;
        };
    }
}

/// <summary>`agentsilo run`'s telemetry options.</summary>
internal sealed class TelemetryCommandOptions
{
    private readonly Option<string[]> _telemetry = new("--telemetry")
    {
        Description = "Where traces, metrics and logs go: file (traces.jsonl, metrics.jsonl, logs.jsonl under --out; read with " +
            "`agentsilo trace`), otlp, console, off; several allowed. Default file (plus otlp when OTEL_EXPORTER_OTLP_ENDPOINT is set).",
        DefaultValueFactory = _ => ["file"],
        AllowMultipleArgumentsPerToken = true,
    };

    private readonly Option<string?> _otlpEndpoint = new("--otlp-endpoint")
    {
        Description = "OTLP collector URL (implies --telemetry otlp). Default OTEL_EXPORTER_OTLP_ENDPOINT, else http://127.0.0.1:4317; " +
            "protocol from OTEL_EXPORTER_OTLP_PROTOCOL (grpc | http/protobuf).",
    };

    private readonly Option<double?> _sampling = new("--sampling")
    {
        Description = "Share of traces recorded, 0 to 1 (default 1, or OTEL_TRACES_SAMPLER_ARG).",
    };

    private readonly Option<bool> _captureContent = new("--capture-content")
    {
        Description = "Record prompts and completions in spans (off by default; also OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true).",
    };

    public static TelemetryCommandOptions Create() => new();

    public void AddTo(Command command)
    {
        command.Options.Add(_telemetry);
        command.Options.Add(_otlpEndpoint);
        command.Options.Add(_sampling);
        command.Options.Add(_captureContent);
    }

    public TelemetryChoice Read(ParseResult parse)
    {
        var kinds = (parse.GetValue(_telemetry) ?? ["file"])
            .SelectMany(k => k.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(k => k.ToLowerInvariant())
            .ToHashSet();
        var unknown = kinds.Except(["file", "otlp", "console", "off"]).ToList();
        string? error = unknown.Count > 0 ? $"--telemetry: unknown '{string.Join("', '", unknown)}'; use file, otlp, console or off" : null;
        Uri? endpoint = null;
        if (parse.GetValue(_otlpEndpoint) is { } text)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
            {
                endpoint = uri;
            }
            else
            {
                error ??= $"--otlp-endpoint must be an http or https URL, got '{text}'";
            }
        }

        var sampling = parse.GetValue(_sampling);
        if (sampling is < 0 or > 1)
        {
            error ??= $"--sampling must be between 0 and 1, got {sampling}";
        }

        var off = kinds.Contains("off");
        return new TelemetryChoice(
            !off && kinds.Contains("file"), !off && (kinds.Contains("otlp") || endpoint is not null), !off && kinds.Contains("console"),
            off ? null : endpoint, sampling, parse.GetValue(_captureContent), error);
    }
}
