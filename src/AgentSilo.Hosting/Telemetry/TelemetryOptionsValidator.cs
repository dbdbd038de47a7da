using Microsoft.Extensions.Options;

namespace AgentSilo.Hosting.Telemetry;

/// <summary>Names the telemetry option that is wrong and why.</summary>
public sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ServiceName))
        {
            errors.Add($"{nameof(TelemetryOptions.ServiceName)} must not be empty");
        }

        if (options.OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{nameof(TelemetryOptions.OtlpEndpoint)} must be an absolute http or https URL, got '{endpoint}'");
        }

        if (options.SamplingRatio is < 0 or > 1 || double.IsNaN(options.SamplingRatio))
        {
            errors.Add($"{nameof(TelemetryOptions.SamplingRatio)} must be between 0 and 1, got {options.SamplingRatio}");
        }

        if (options.EpisodeSamplingRatio is < 0 or > 1 || double.IsNaN(options.EpisodeSamplingRatio))
        {
            errors.Add($"{nameof(TelemetryOptions.EpisodeSamplingRatio)} must be between 0 and 1, got {options.EpisodeSamplingRatio}");
        }

        if (options.MetricExportInterval <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(TelemetryOptions.MetricExportInterval)} must be positive, got {options.MetricExportInterval}");
        }

        if (options.FileDirectory is { } directory && string.IsNullOrWhiteSpace(directory))
        {
            errors.Add($"{nameof(TelemetryOptions.FileDirectory)} must name a directory or be null");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
