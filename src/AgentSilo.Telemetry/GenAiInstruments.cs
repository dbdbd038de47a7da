using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentSilo.Telemetry;

/// <summary>
/// The GenAI conventions' client metrics on an area's meter: <c>gen_ai.client.token.usage</c> ({token}) and
/// <c>gen_ai.client.operation.duration</c> (s), with the conventions' bucket boundaries and attributes.
/// </summary>
public sealed class GenAiInstruments
{
    private static readonly double[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
    private static readonly double[] DurationBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    private readonly Histogram<long> _tokens;
    private readonly Histogram<double> _duration;

    public GenAiInstruments(Meter meter)
    {
        _tokens = meter.CreateHistogram(
            MetricNames.TokenUsage, MetricUnits.Tokens, "Tokens used per GenAI operation, by gen_ai.token.type (input, output).",
            tags: null, advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets.Select(b => (long)b).ToArray() });
        _duration = meter.CreateHistogram(
            MetricNames.OperationDuration, MetricUnits.Seconds, "Duration of GenAI operations.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    /// <summary>Records one operation: its input and output tokens and its duration.</summary>
    public void Record(string operation, string model, long inputTokens, long outputTokens, TimeSpan duration, string? errorType = null)
    {
        var common = new TagList
        {
            { GenAiAttributes.OperationName, operation },
            { GenAiAttributes.ProviderName, AgentSiloTelemetry.Provider },
            { GenAiAttributes.RequestModel, model },
        };
        if (errorType is not null)
        {
            common.Add(GenAiAttributes.ErrorType, errorType);
        }
        else if (_tokens.Enabled)
        {
            var input = common;
            input.Add(GenAiAttributes.TokenType, "input");
            _tokens.Record(inputTokens, input);
            var output = common;
            output.Add(GenAiAttributes.TokenType, "output");
            _tokens.Record(outputTokens, output);
        }

        _duration.Record(duration.TotalSeconds, common);
    }
}
