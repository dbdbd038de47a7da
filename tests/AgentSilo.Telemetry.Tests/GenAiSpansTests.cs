using System.Diagnostics;

namespace AgentSilo.Telemetry.Tests;

public class GenAiSpansTests
{
    /// <summary>A tiny fake tool: looks a word up, or fails on an empty one.</summary>
    private static Task<int> Lookup(string word, CancellationToken _) =>
        word.Length == 0 ? throw new ArgumentException("empty word") : Task.FromResult(word.Length);

    [Fact]
    public async Task A_tool_call_is_an_execute_tool_span_with_the_conventions_attributes_and_no_content_by_default()
    {
        using var recorder = new Recorder();

        var result = await recorder.Source.ExecuteToolAsync("lookup", "call-1", "{\"word\":\"orleans\"}", ct => Lookup("orleans", ct), describeResult: r => $"{r}");

        Assert.Equal(7, result);
        var span = Assert.Single(recorder.Spans);
        Assert.Equal("execute_tool lookup", span.DisplayName);
        Assert.Equal("execute_tool", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("lookup", span.GetTagItem("gen_ai.tool.name"));
        Assert.Equal("call-1", span.GetTagItem("gen_ai.tool.call.id"));
        Assert.Equal("function", span.GetTagItem("gen_ai.tool.type"));
        Assert.Null(span.GetTagItem("gen_ai.tool.call.arguments"));
        Assert.Null(span.GetTagItem("gen_ai.tool.call.result"));
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task Tool_arguments_and_result_are_recorded_only_when_content_capture_is_on()
    {
        using var recorder = new Recorder();

        await recorder.Source.ExecuteToolAsync("lookup", "call-2", "{\"word\":\"silo\"}", ct => Lookup("silo", ct), captureContent: true, describeResult: r => $"{r}");

        var span = Assert.Single(recorder.Spans);
        Assert.Equal("{\"word\":\"silo\"}", span.GetTagItem("gen_ai.tool.call.arguments"));
        Assert.Equal("4", span.GetTagItem("gen_ai.tool.call.result"));
    }

    [Fact]
    public async Task A_failing_tool_marks_its_span_with_error_type_and_rethrows()
    {
        using var recorder = new Recorder();

        var e = await Assert.ThrowsAsync<ArgumentException>(() => recorder.Source.ExecuteToolAsync("lookup", "call-3", null, ct => Lookup("", ct)));

        Assert.Equal("empty word", e.Message);
        var span = Assert.Single(recorder.Spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.Equal("System.ArgumentException", span.GetTagItem("error.type"));
        Assert.Contains(span.Events, ev => ev.Name == "exception");
    }

    [Fact]
    public void An_agent_call_is_an_invoke_agent_span_named_after_the_agent()
    {
        using var recorder = new Recorder();

        using (var span = recorder.Source.StartInvokeAgent("policy", "star-addition", "star-addition:v3"))
        {
            Assert.NotNull(span);
        }

        var recorded = Assert.Single(recorder.Spans);
        Assert.Equal("invoke_agent policy", recorded.DisplayName);
        Assert.Equal("invoke_agent", recorded.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("policy", recorded.GetTagItem("gen_ai.agent.name"));
        Assert.Equal("star-addition", recorded.GetTagItem("gen_ai.agent.id"));
        Assert.Equal("star-addition:v3", recorded.GetTagItem("gen_ai.request.model"));
        Assert.Equal("agentsilo", recorded.GetTagItem("gen_ai.provider.name"));
    }

    [Fact]
    public void Without_a_listener_no_span_is_made()
    {
        using var source = new ActivitySource("AgentSilo.Test.Unheard." + Guid.NewGuid().ToString("N"));

        Assert.Null(source.StartInvokeAgent("critic", "verifier"));
        Assert.Null(source.StartExecuteTool("click"));
    }

    [Fact]
    public void A_critic_score_is_a_gen_ai_evaluation_result_event()
    {
        using var recorder = new Recorder();

        using (var span = recorder.Source.StartInvokeAgent("critic", "majority"))
        {
            span!.AddEvaluationResult("majority", 0.75, "kept", "exp/r1/gen/p3/s0");
        }

        var e = Assert.Single(Assert.Single(recorder.Spans).Events);
        Assert.Equal("gen_ai.evaluation.result", e.Name);
        var tags = e.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("majority", tags["gen_ai.evaluation.name"]);
        Assert.Equal(0.75, tags["gen_ai.evaluation.score.value"]);
        Assert.Equal("kept", tags["gen_ai.evaluation.score.label"]);
        Assert.Equal("exp/r1/gen/p3/s0", tags["gen_ai.response.id"]);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("SPAN_ONLY", true)]
    [InlineData("span_and_event", true)]
    [InlineData("false", false)]
    [InlineData("NO_CONTENT", false)]
    [InlineData("EVENT_ONLY", false)]
    [InlineData(null, false)]
    public void Content_capture_is_on_only_for_the_conventions_opt_in_values(string? value, bool expected) =>
        Assert.Equal(expected, AgentSiloTelemetry.IsCaptureRequested(value));
}
