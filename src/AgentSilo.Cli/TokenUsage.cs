using System.Diagnostics.Metrics;
using AgentSilo.LanguageModels;

namespace AgentSilo.Cli;

/// <summary>
/// Totals the GenAI token-usage histogram (gen_ai.client.token.usage, by gen_ai.token.type) that external-model calls
/// record under the <see cref="LanguageModelClients.TelemetrySourceName"/> meter, so a run can show what it spent.
/// </summary>
public sealed class TokenUsage : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _input;
    private long _output;
    private long _measurements;

    public TokenUsage()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == LanguageModelClients.TelemetrySourceName && instrument.Name == "gen_ai.client.token.usage")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, tags, _) => Add(value, tags));
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) => Add(value, tags));
        _listener.Start();
    }

    public long Input => Interlocked.Read(ref _input);

    public long Output => Interlocked.Read(ref _output);

    public long Measurements => Interlocked.Read(ref _measurements);

    public void Dispose() => _listener.Dispose();

    private void Add(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Interlocked.Increment(ref _measurements);
        foreach (var tag in tags)
        {
            if (tag.Key == "gen_ai.token.type")
            {
                if (tag.Value as string == "input")
                {
                    Interlocked.Add(ref _input, value);
                }
                else if (tag.Value as string == "output")
                {
                    Interlocked.Add(ref _output, value);
                }
            }
        }
    }
}
