using System.Diagnostics.Metrics;

namespace AgentSilo.Telemetry.Tests;

public class GenAiInstrumentsTests
{
    [Fact]
    public void Token_usage_and_duration_are_recorded_with_the_conventions_units_and_attributes()
    {
        using var meter = new Meter("AgentSilo.Test." + Guid.NewGuid().ToString("N"));
        var instruments = new GenAiInstruments(meter);
        var seen = new List<(string Name, string? Unit, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => seen.Add((i.Name, i.Unit, v, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => seen.Add((i.Name, i.Unit, v, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        instruments.Record("invoke_agent", "exp:v2", inputTokens: 120, outputTokens: 40, TimeSpan.FromMilliseconds(250));

        Assert.Equal(3, seen.Count);
        var input = Assert.Single(seen, m => m.Name == "gen_ai.client.token.usage" && (string?)m.Tags["gen_ai.token.type"] == "input");
        var output = Assert.Single(seen, m => m.Name == "gen_ai.client.token.usage" && (string?)m.Tags["gen_ai.token.type"] == "output");
        var duration = Assert.Single(seen, m => m.Name == "gen_ai.client.operation.duration");
        Assert.Equal(("{token}", 120.0), (input.Unit, input.Value));
        Assert.Equal(("{token}", 40.0), (output.Unit, output.Value));
        Assert.Equal(("s", 0.25), (duration.Unit, duration.Value));
        Assert.All(seen, m =>
        {
            Assert.Equal("invoke_agent", m.Tags["gen_ai.operation.name"]);
            Assert.Equal("exp:v2", m.Tags["gen_ai.request.model"]);
            Assert.Equal("agentsilo", m.Tags["gen_ai.provider.name"]);
        });
    }
}
