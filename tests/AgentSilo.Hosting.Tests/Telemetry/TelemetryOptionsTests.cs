using AgentSilo.Hosting.Telemetry;
using OpenTelemetry.Exporter;

namespace AgentSilo.Hosting.Tests.Telemetry;

public class TelemetryOptionsTests
{
    [Fact]
    public void Defaults_export_nothing_sample_everything_and_keep_content_out()
    {
        var options = TelemetryOptions.FromEnvironment(_ => null);

        Assert.False(options.HasExporter);
        Assert.Equal("agentsilo", options.ServiceName);
        Assert.Equal(1.0, options.SamplingRatio);
        Assert.False(options.CaptureMessageContent);
        Assert.False(options.OrleansRuntimeSpans);
        Assert.Equal(OtlpExportProtocol.Grpc, options.OtlpProtocol);
    }

    [Fact]
    public void The_standard_OTEL_variables_set_the_defaults()
    {
        var environment = new Dictionary<string, string>
        {
            ["OTEL_SERVICE_NAME"] = "lab",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4318",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-api-key=k",
            ["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio",
            ["OTEL_TRACES_SAMPLER_ARG"] = "0.25",
            ["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"] = "true",
        };

        var options = TelemetryOptions.FromEnvironment(environment.GetValueOrDefault);

        Assert.Equal("lab", options.ServiceName);
        Assert.Equal(new Uri("http://127.0.0.1:4318"), options.OtlpEndpoint);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.OtlpProtocol);
        Assert.Equal("x-api-key=k", options.OtlpHeaders);
        Assert.Equal(0.25, options.SamplingRatio);
        Assert.True(options.CaptureMessageContent);
        Assert.True(options.HasExporter);
    }

    [Fact]
    public void The_validator_names_every_bad_option()
    {
        var options = new TelemetryOptions
        {
            ServiceName = " ",
            OtlpEndpoint = new Uri("ftp://collector"),
            SamplingRatio = 1.5,
            EpisodeSamplingRatio = -0.1,
            MetricExportInterval = TimeSpan.Zero,
        };

        var result = new TelemetryOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(
            [
                "ServiceName must not be empty",
                "OtlpEndpoint must be an absolute http or https URL, got 'ftp://collector/'",
                "SamplingRatio must be between 0 and 1, got 1.5",
                "EpisodeSamplingRatio must be between 0 and 1, got -0.1",
                "MetricExportInterval must be positive, got 00:00:00",
            ],
            result.Failures!);
    }
}
