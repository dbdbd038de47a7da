using System.Diagnostics;

namespace AgentSilo.Telemetry.Tests;

/// <summary>Records every span of one test's own source (a unique name per test, so tests running side by side do not mix).</summary>
internal sealed class Recorder : IDisposable
{
    private readonly ActivityListener _listener;

    public Recorder()
    {
        Source = new ActivitySource("AgentSilo.Test." + Guid.NewGuid().ToString("N"));
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s == Source,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (Spans)
                {
                    Spans.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public ActivitySource Source { get; }

    public List<Activity> Spans { get; } = [];

    public void Dispose()
    {
        _listener.Dispose();
        Source.Dispose();
    }
}
