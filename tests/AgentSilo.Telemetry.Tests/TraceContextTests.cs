using System.Diagnostics;

namespace AgentSilo.Telemetry.Tests;

public class TraceContextTests
{
    [Fact]
    public void A_recorded_span_hands_out_its_traceparent_and_it_parses_back_to_the_same_context()
    {
        using var recorder = new Recorder();
        using var span = recorder.Source.StartActivity("episode")!;

        var traceParent = TraceContext.CurrentTraceParent();

        Assert.Equal(span.Id, traceParent);
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", traceParent!);
        var parsed = TraceContext.Parse(traceParent)!.Value;
        Assert.Equal(span.TraceId, parsed.TraceId);
        Assert.Equal(span.SpanId, parsed.SpanId);
    }

    [Fact]
    public void No_span_no_traceparent_and_garbage_does_not_parse()
    {
        Activity.Current = null;

        Assert.Null(TraceContext.CurrentTraceParent());
        Assert.Null(TraceContext.Parse(null));
        Assert.Null(TraceContext.Parse("not-a-traceparent"));
    }

    [Fact]
    public void Links_name_each_distinct_span_once_up_to_the_limit()
    {
        var a = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var b = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";
        var c = "00-0af7651916cd43dd8448eb211c80319c-1111111111111111-01";

        var links = TraceContext.Links([a, a, null, b, "junk", c], limit: 2);

        Assert.Equal(["b7ad6b7169203331", "00f067aa0ba902b7"], links.Select(l => l.Context.SpanId.ToHexString()));
    }
}
