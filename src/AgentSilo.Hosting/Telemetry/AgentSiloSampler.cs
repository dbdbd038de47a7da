using AgentSilo.Telemetry;
using OpenTelemetry.Trace;

namespace AgentSilo.Hosting.Telemetry;

/// <summary>
/// Root spans are kept with <see cref="TelemetryOptions.SamplingRatio"/> (by trace id, so every process agrees); children
/// follow their parent; <c>episode</c> spans are kept with <see cref="TelemetryOptions.EpisodeSamplingRatio"/>; calls to
/// <see cref="TelemetryOptions.UntracedMethods"/> are dropped (their children follow).
/// </summary>
public sealed class AgentSiloSampler : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);

    private readonly Sampler _parentBased;
    private readonly double _episodeRatio;
    private readonly string[] _untracedSuffixes;

    public AgentSiloSampler(TelemetryOptions options)
    {
        _parentBased = new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SamplingRatio));
        _episodeRatio = options.EpisodeSamplingRatio;
        _untracedSuffixes = options.UntracedMethods.Select(m => "/" + m).ToArray();
        Description = $"AgentSiloSampler{{ratio={options.SamplingRatio}, episodes={options.EpisodeSamplingRatio}}}";
    }

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        var name = samplingParameters.Name;
        foreach (var suffix in _untracedSuffixes)
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                return Drop;
            }
        }

        var result = _parentBased.ShouldSample(samplingParameters);
        if (result.Decision == SamplingDecision.RecordAndSample && _episodeRatio < 1 && name == SpanNames.Episode)
        {
            // Each episode span has its own parent (the grain call that runs it): hash that span id into [0, 1).
            var parent = samplingParameters.ParentContext.SpanId.ToHexString();
            var hash = (uint)StableHash(parent) / (double)uint.MaxValue;
            return hash < _episodeRatio ? Keep : Drop;
        }

        return result;
    }

    private static int StableHash(string text) => text.Aggregate(17, (h, c) => unchecked((h * 31) + c));
}
